package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Future;
import org.denyfs.core.Errno;
import org.denyfs.image.ModuleImage;
import org.denyfs.testing.Fixtures;
import org.denyfs.testing.SignedImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /proc/modules and /sys/module/NAME, driven through {@link Modules}. */
class ProcModulesTest {
    private final TestKernel k = new TestKernel();
    private final Modules m = k.builder().build();
    private final long baseSize = ModuleImage.parse(Fixtures.base()).coreSize();
    private final long userSize = ModuleImage.parse(Fixtures.user("fx_user")).coreSize();

    @AfterEach
    void tearDown() {
        k.close();
    }

    @Test
    void procModules_libraryUsedByUser_newestFirstWithTrailingCommas() {
        m.finitModule(new FakeInode(Fixtures.base()).open(), "", 0); // modprobe fx_user
        m.finitModule(new FakeInode(Fixtures.user("fx_user")).open(), "", 0);

        assertThat(m.procModules()).isEqualTo(""
                + "fx_user " + userSize + " 0 - Live 0x0000000000000000 (OE)\n"
                + "fx_base " + baseSize + " 1 fx_user, Live 0x0000000000000000 (OE)\n");
    }

    @Test
    void procModules_initWithoutExit_showsPermanent() {
        m.finitModule(new FakeInode(Fixtures.permanent()).open(), "", 0);
        long size = ModuleImage.parse(Fixtures.permanent()).coreSize();

        assertThat(m.procModules()).isEqualTo("fx_permanent " + size + " 0 [permanent], Live 0x0000000000000000 (OE)\n");
    }

    @Test
    void procModules_inTreeModuleSignedByAKeyOfTheKeyring_hasNoTaintField() {
        Modules trusting = k.builder().trustedKeys(List.of(SignedImages.KEY_ID)).build();
        trusting.finitModule(new FakeInode(SignedImages.sign(Fixtures.build("fx_base", "fx_base", "INTREE"))).open(), "", 0);
        assertThat(trusting.procModules()).endsWith(" Live 0x0000000000000000\n");
    }

    @Test
    void procModules_inTreeModuleSignedByAnUnknownKey_loadsTaintedE() {
        // ENOKEY is not fatal without enforcement: sig_ok is false, as for an unsigned module
        m.finitModule(new FakeInode(SignedImages.sign(Fixtures.build("fx_base", "fx_base", "INTREE"))).open(), "", 0);
        assertThat(m.procModules()).endsWith(" Live 0x0000000000000000 (E)\n");
    }

    @Test
    void procModules_comingModule_showsLoadingWithInitReferenceAndInitSize() throws Exception {
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> load = k.process(() -> m.finitModule(new FakeInode(Fixtures.base()).open(), "", 0));
        gate.awaitEntered();
        long total = ModuleImage.parse(Fixtures.base()).totalSize();

        assertThat(m.procModules()).isEqualTo("fx_base " + total + " 1 - Loading 0x0000000000000000 (OE)\n");
        assertThat(m.initstate("fx_base")).contains("coming\n");
        gate.open();
        assertThat(TestKernel.get(load)).isNull();
        assertThat(m.procModules()).startsWith("fx_base " + baseSize + " 0 - Live ");
    }

    @Test
    void sysModule_views_followUsedBy() {
        m.finitModule(new FakeInode(Fixtures.base()).open(), "", 0);
        m.finitModule(new FakeInode(Fixtures.user("fx_user")).open(), "", 0);
        m.finitModule(new FakeInode(Fixtures.user("fx_user2")).open(), "", 0);

        assertThat(m.initstate("fx_base")).contains("live\n");
        assertThat(m.refcnt("fx_base")).contains("2\n");
        assertThat(m.holders("fx_base")).contains(List.of("fx_user2", "fx_user"));
        assertThat(m.holders("fx_user")).contains(List.of());
        assertThat(m.initstate("nope")).isEmpty();
        assertThat(m.moduleNames()).containsExactly("fx_user2", "fx_user", "fx_base");
    }
}
