package org.denyfs.bench.herd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the coldplug scenario turns depmod's files into device events. */
class ColdplugEventsTest {
    private static final List<String> DEP = List.of(
            "kernel/crypto/cryptd.ko:",
            "kernel/crypto/crypto_simd.ko: kernel/crypto/cryptd.ko",
            "kernel/arch/x86/crypto/aesni-intel.ko: kernel/crypto/crypto_simd.ko kernel/crypto/cryptd.ko",
            "kernel/arch/x86/crypto/ghash-clmulni-intel.ko: kernel/crypto/cryptd.ko",
            "kernel/drivers/virtio/virtio_pci.ko.xz:",
            "kernel/fs/xfs/xfs.ko:");
    private static final List<String> ALIAS = List.of(
            "# Aliases extracted from modules themselves.",
            "alias cpu:type:x86,ven*fam*mod*:feature:*0099* aesni_intel",
            "alias cpu:type:x86,ven*fam*mod*:feature:*0081* ghash_clmulni_intel",
            "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci",
            "alias pci:v0000108Ed0000000[12]sv*sd*bc*sc*i* virtio_pci",
            "alias fs-xfs xfs",
            "alias ip_set_hash:ip ip_set_hash_ip",
            "alias symbol:cryptd_alloc_aead cryptd");

    @Test
    void deviceAliases_onlyDeviceBusesWithoutBracketClasses() {
        Map<String, List<String>> a = ColdplugEvents.deviceAliases(ALIAS);
        assertThat(a.keySet()).containsExactly("aesni_intel", "ghash_clmulni_intel", "virtio_pci");
        assertThat(a.get("virtio_pci")).containsExactly("pci:v00001AF4d*sv*sd*bc*sc*i*");
        assertThat(ColdplugEvents.dependencies(DEP).get("aesni_intel")).containsExactly("crypto_simd", "cryptd");
        assertThat(ColdplugEvents.dependencies(DEP)).containsKey("virtio_pci");
    }

    @Test
    void choose_driversSharingADependencyFirst_distinctEvents_sameSeedSameEvents() {
        Map<String, List<String>> deps = ColdplugEvents.dependencies(DEP);
        Map<String, List<String>> aliases = ColdplugEvents.deviceAliases(ALIAS);
        List<ColdplugEvents.Event> two = ColdplugEvents.choose(deps, aliases, 2, 7);
        assertThat(two).extracting(ColdplugEvents.Event::driver).containsExactlyInAnyOrder("aesni_intel", "ghash_clmulni_intel");
        assertThat(two).extracting(ColdplugEvents.Event::modalias).contains("cpu:type:x86,venfammod:feature:0099");
        assertThat(ColdplugEvents.choose(deps, aliases, 2, 7)).isEqualTo(two);
        // more asked than there are: every distinct event once, and no more
        assertThat(ColdplugEvents.choose(deps, aliases, 10, 7)).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    void concrete_matchesItsPattern() {
        assertThat(ColdplugEvents.concrete("pci:v00001AF4d*sv*sd*bc*sc*i*")).isEqualTo("pci:v00001AF4dsvsdbcsci");
        assertThat(ColdplugEvents.concrete("usb:v?p*")).isEqualTo("usb:v0p");
        assertThat(ColdplugEvents.moduleName("kernel/arch/x86/crypto/aesni-intel.ko.zst")).isEqualTo("aesni_intel");
    }
}
