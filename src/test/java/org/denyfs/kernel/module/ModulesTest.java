package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.denyfs.kernel.module.TestKernel.errnoOf;
import static org.denyfs.kernel.module.TestKernel.get;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.ModuleImage;
import org.denyfs.testing.Compressed;
import org.denyfs.testing.Fixtures;
import org.denyfs.testing.SignedImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The syscalls of {@link Modules}; each thread stands in for a process, each comment for its command. */
class ModulesTest {
    private final TestKernel k = new TestKernel();
    private final FakeInode base = new FakeInode(Fixtures.base());
    private final FakeInode user = new FakeInode(Fixtures.user("fx_user"));
    private final FakeInode user2 = new FakeInode(Fixtures.user("fx_user2"));

    @AfterEach
    void tearDown() {
        k.close();
    }

    private Modules kernel(Policy policy) {
        return k.builder().policy(policy).build();
    }

    private static Errno finit(Modules m, FakeInode file) {
        return errnoOf(() -> m.finitModule(file.open(), "", 0));
    }

    private static long len(FakeInode file) {
        return file.data.length;
    }

    private static String stat(Modules m, String label) {
        for (String line : m.stats().split("\n")) {
            if (line.trim().startsWith(label + "\t")) {
                return line.substring(line.indexOf('\t') + 1);
            }
        }
        return null;
    }

    // ---- flags and handles: no statistic moves ----

    @Test
    void finitModule_unknownFlag_failsEinval() {
        Modules m = kernel(Policy.EXCLUSIVE);
        assertThat(errnoOf(() -> m.finitModule(base.open(), "", 8))).isEqualTo(Errno.EINVAL);
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("0");
    }

    @ParameterizedTest
    @EnumSource(value = Policy.class, names = {"EXCLUSIVE", "IDEMPOTENT"})
    void finitModule_oPathOrWriteOnlyHandle_failsEbadfUncounted(Policy policy) {
        Modules m = kernel(policy);
        assertThat(errnoOf(() -> m.finitModule(base.openPath(), "", 0))).isEqualTo(Errno.EBADF);
        try (FakeInode.Handle w = base.openWriteOnly()) {
            assertThat(errnoOf(() -> m.finitModule(w, "", 0))).isEqualTo(Errno.EBADF);
        }
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("0");
        assertThat(m.idempotent.groups()).isZero();
    }

    @Test
    void finitModule_plainPolicy_oPathHandle_failsEbadfCountedAsKread() {
        // before 9828ed3f69 the handle checks lived in kernel_read_file_from_fd()
        Modules m = kernel(Policy.PLAIN);
        assertThat(errnoOf(() -> m.finitModule(base.openPath(), "", 0))).isEqualTo(Errno.EBADF);
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("1");
    }

    @Test
    void finitModule_exclusivePolicy_notRegularFile_failsEinvalUncounted() {
        Modules m = kernel(Policy.EXCLUSIVE);
        base.regular = false;
        assertThat(finit(m, base)).isEqualTo(Errno.EINVAL);
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("0");
    }

    // ---- writers ----

    @ParameterizedTest
    @EnumSource(Policy.class)
    void finitModule_whileOpenForWrite_failsEtxtbsy(Policy policy) {
        Modules m = kernel(policy);
        try (FakeInode.Handle writer = base.openWriteOnly()) { // exec 3>fx_base.ko
            assertThat(finit(m, base)).isEqualTo(Errno.ETXTBSY); // insmod fx_base.ko
        }
        // the exclusive deny fails before the read; otherwise the read's own deny fails, a kread failure
        assertThat(stat(m, "Mods failed on kread")).isEqualTo(policy == Policy.EXCLUSIVE ? "0" : "1");
        assertThat(base.writes.value()).isZero();
        assertThat(base.reads.get()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void finitModule_readWriteHandle_failsEtxtbsy(Policy policy) {
        Modules m = kernel(policy);
        try (FakeInode.Handle rw = base.openReadWrite()) {
            assertThat(errnoOf(() -> m.finitModule(rw, "", 0))).isEqualTo(Errno.ETXTBSY);
        }
        assertThat(m.moduleNames()).isEmpty();
    }

    @Test
    void finitModule_exclusivePolicy_readNestsItsDenyInsideTheExclusiveOne() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> load = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();

        assertThat(base.countAtRead).isEqualTo(-2); // exclusive deny + kernel_read_file's deny
        assertThat(base.writes.value()).isEqualTo(-1); // held through init
        gate.open();
        assertThat(get(load)).isNull();
        assertThat(base.writes.value()).isZero();
    }

    @Test
    void finitModule_plainPolicy_denyOnlyAroundTheRead() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> load = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();

        assertThat(base.countAtRead).isEqualTo(-1);
        assertThat(base.writes.value()).isZero(); // a writer could open it during init
        gate.open();
        assertThat(get(load)).isNull();
    }

    @Test
    void finitModule_emptyFile_failsEinvalCountedAsKread() {
        Modules m = kernel(Policy.EXCLUSIVE);
        FakeInode empty = new FakeInode(new byte[0]);
        assertThat(finit(m, empty)).isEqualTo(Errno.EINVAL);
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("1");
        assertThat(stat(m, "Failed kread bytes")).isEqualTo("0");
    }

    // ---- concurrent loads of one file ----

    @Test
    void finitModule_exclusivePolicy_concurrentSameInode_failsEtxtbsy() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0)); // udev worker 1
        gate.awaitEntered();

        // udev worker 2: at once, before the first one's init ends (a wait here would time out)
        assertThat(get(k.process(() -> m.finitModule(base.open(), "", 0)))).isEqualTo(Errno.ETXTBSY);
        assertThat(base.reads.get()).isEqualTo(1);
        assertThat(m.bytesInFlight()).isZero();
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(m.stats()).doesNotContain("Duplicate failed modules");
        assertThat(stat(m, "Virtual mem wasted bytes")).isEqualTo("0");
    }

    @Test
    void finitModule_plainPolicy_concurrentSameInode_waitsThenEexist() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> second = k.process(() -> m.finitModule(base.open(), "", 0));
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        // the waiter holds its whole copy of the file: the memory the seed commit saves
        assertThat(m.bytesInFlight()).isEqualTo(len(base));
        assertThat(second.isDone()).isFalse();
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(get(second)).isEqualTo(Errno.EEXIST);
        assertThat(base.reads.get()).isEqualTo(2);
        assertThat(m.bytesInFlight()).isZero();
        assertThat(m.peakBytesInFlight()).isEqualTo(len(base));
        assertThat(stat(m, "Mods failed on becoming")).isEqualTo("1");
        assertThat(stat(m, "Failed becoming bytes")).isEqualTo(Long.toString(len(base)));
        assertThat(m.stats()).contains(String.format("%25s\t%15d\t%25s\n", "fx_base", 1, "Becoming"));
    }

    // ---- exclusive-read: the seed table's second kernel ----

    @Test
    void finitModule_exclusiveReadPolicy_readTakesTheOnlyDeny_andDropsItBeforeInit() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE_READ);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> load = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();

        assertThat(base.countAtRead).isEqualTo(-1); // the read's deny is the exclusive one
        assertThat(base.writes.value()).isZero(); // nothing held while init runs
        gate.open();
        assertThat(get(load)).isNull();
    }

    @Test
    void finitModule_exclusiveReadPolicy_whileAnotherReaderDenies_failsEtxtbsyCountedAsKread() {
        Modules m = kernel(Policy.EXCLUSIVE_READ);
        base.writes.deny(); // another kernel_read_file() in progress
        assertThat(finit(m, base)).isEqualTo(Errno.ETXTBSY);
        assertThat(base.reads.get()).isZero();
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("1");
        assertThat(stat(m, "Virtual mem wasted bytes")).isEqualTo("0");
        base.writes.allow();
        assertThat(finit(m, base)).isNull();
    }

    @Test
    void finitModule_exclusiveReadPolicy_loadStartingAfterTheRead_readsAgainWaitsThenEexist() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE_READ);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered(); // the first's read is over: COMING, in init
        Future<Errno> second = k.process(() -> m.finitModule(base.open(), "", 0));
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        assertThat(m.bytesInFlight()).isEqualTo(len(base)); // the second's whole copy, waiting
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(get(second)).isEqualTo(Errno.EEXIST);
        assertThat(base.reads.get()).isEqualTo(2);
        assertThat(stat(m, "Failed becoming bytes")).isEqualTo(Long.toString(len(base)));
    }

    @Test
    void finitModule_idempotent_concurrentSameInode_allReturnFirstResult() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> second = k.process(() -> m.finitModule(base.open(), "", 0));
        Future<Errno> third = k.process(() -> m.finitModule(base.open(), "", Modules.MODULE_INIT_IGNORE_VERMAGIC));
        assertThat(m.idempotent.awaitMembers(base.key, 3, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        gate.open();
        assertThat(get(first)).isNull();
        assertThat(get(second)).isNull(); // 0, not EEXIST
        assertThat(get(third)).isNull();
        assertThat(base.reads.get()).isEqualTo(1);
        assertThat(m.peakBytesInFlight()).isEqualTo(len(base));
        assertThat(m.idempotent.groups()).isZero();
        assertThat(stat(m, "Mods ever loaded")).isEqualTo("1");
        assertThat(stat(m, "Virtual mem wasted bytes")).isEqualTo("0");
    }

    @Test
    void finitModuleLater_idempotentWaiter_returnsAtOnce_andCompletesWithTheFirstResult() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var waiter = m.finitModuleLater(base.open(), "", 0); // on this thread: it must not block
        assertThat(waiter).isNotDone();
        assertThat(m.idempotent.members(base.key)).isEqualTo(2);

        gate.open();
        assertThat(get(first)).isNull();
        assertThat(waiter.get(TestKernel.WAIT_S, TimeUnit.SECONDS)).isNull();
        assertThat(base.reads.get()).isEqualTo(1);
        assertThat(m.callsTable()).contains("finit_module\t" + base.open().name() + "\t0\t2\t");
    }

    @Test
    void finitModuleLater_idempotentWaiter_firstFails_completesExceptionallyWithItsErrno() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        k.init.fail("fx_base", Errno.ENODEV);
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var waiter = m.finitModuleLater(base.open(), "", 0);
        gate.open();
        assertThat(get(first)).isEqualTo(Errno.ENODEV);
        assertThatThrownBy(() -> waiter.get(TestKernel.WAIT_S, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e.getCause()).errno()).isEqualTo(Errno.ENODEV));
        assertThat(m.callsTable()).contains("finit_module\t" + base.open().name() + "\tENODEV\t2\t");
    }

    @Test
    void finitModuleLater_descriptorClosedBeforeTheLoadEnds_recordsTheNameTakenOnEntry() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        String name = base.open().name();
        FakeInode.Handle fd = base.open();
        var waiter = m.finitModuleLater(fd, "", 0);
        fd.close(); // ModuleSyscalls.finitLater closes the caller's descriptor when the call returns
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(waiter.get(TestKernel.WAIT_S, TimeUnit.SECONDS)).isNull();
        assertThat(m.callsTable()).contains("finit_module\t" + name + "\t0\t2\t");
    }

    /** The future's errno, once it completes; null for success. */
    private static Errno outcome(java.util.concurrent.CompletableFuture<Void> call) throws Exception {
        try {
            call.get(TestKernel.WAIT_S, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return ((ErrnoException) e.getCause()).errno();
        }
    }

    // ---- the load's own waits, parked without a thread (finitModuleLater) ----

    /**
     * finitModuleLater on a thread of its own, which must return within the test's wait: a call
     * that blocked for its wait instead of parking fails here rather than hanging the test.
     */
    private java.util.concurrent.CompletableFuture<Void> later(Modules m, FakeInode file) throws Exception {
        return k.processes.submit(() -> m.finitModuleLater(file.open(), "", 0)).get(TestKernel.WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void finitModuleLater_patientDuplicateCheck_parksWithoutAThread_thenEexist() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var second = later(m, base);
        assertThat(second).isNotDone();
        assertThat(m.parkedLoads()).isEqualTo(1);
        assertThat(m.bytesInFlight()).isEqualTo(len(base)); // the parked load keeps its copy, as the kernel's waiter does

        gate.open();
        assertThat(get(first)).isNull();
        assertThat(outcome(second)).isEqualTo(Errno.EEXIST);
        assertThat(m.parkedLoads()).isZero();
        assertThat(m.bytesInFlight()).isZero();
        assertThat(stat(m, "Mods failed on becoming")).isEqualTo("1");
        assertThat(m.stats()).contains(String.format("%25s\t%15d\t%25s\n", "fx_base", 1, "Becoming"));
        assertThat(m.callsTable()).contains("finit_module\t" + base.open().name() + "\tEEXIST\t1\t");
    }

    @Test
    void finitModuleLater_patientDuplicateCheck_firstFailsInInit_parkedOneGetsEbusy() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate gate = k.init.gate("fx_base");
        k.init.fail("fx_base", Errno.ENODEV);
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var second = later(m, base);
        assertThat(second).isNotDone();
        gate.open();
        assertThat(get(first)).isEqualTo(Errno.ENODEV);
        assertThat(outcome(second)).isEqualTo(Errno.EBUSY); // gone after a failed load: no retry
        assertThat(m.moduleNames()).isEmpty();
    }

    @Test
    void finitModuleLater_symbolOfComingModule_parksWithoutAThread_thenLoadsAndTakesTheReference() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var loadUser = later(m, user);
        assertThat(loadUser).isNotDone();
        assertThat(m.parkedLoads()).isEqualTo(1);
        // EXCLUSIVE: the parked load keeps its file's exclusive deny until it is over
        assertThat(user.writes.value()).isEqualTo(-1);

        gate.open();
        assertThat(get(loadBase)).isNull();
        assertThat(outcome(loadUser)).isNull();
        assertThat(user.writes.value()).isZero();
        assertThat(m.refcnt("fx_base")).contains("1\n");
        assertThat(m.holders("fx_base")).contains(List.of("fx_user"));
        assertThat(stat(m, "Mods ever loaded")).isEqualTo("2");
    }

    @Test
    void finitModuleLater_symbolOwnerComingTooLong_timerEndsTheParkedWaitWithEbusy() throws Exception {
        Modules m = k.builder().symbolWait(TestKernel.shortWait()).build();
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var loadUser = later(m, user);
        assertThat(outcome(loadUser)).isEqualTo(Errno.EBUSY); // base is still in its init: the gate is shut
        assertThat(m.parkedLoads()).isZero();
        assertThat(stat(m, "Mods failed on load")).isEqualTo("1");
        gate.open();
        assertThat(get(loadBase)).isNull();
        assertThat(m.refcnt("fx_base")).contains("0\n");
    }

    @Test
    void finitModuleLater_moreParkedLoadsThanResumers_allRunTheirInitsAtOnce() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate baseGate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        baseGate.awaitEntered();
        int n = ModuleTable.RESUMERS + 2;
        List<TestKernel.Gate> gates = new java.util.ArrayList<>();
        List<java.util.concurrent.CompletableFuture<Void>> loads = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            gates.add(k.init.gate("fx_user" + i));
            loads.add(later(m, new FakeInode(Fixtures.user("fx_user" + i))));
        }
        assertThat(m.parkedLoads()).isEqualTo(n);

        baseGate.open();
        assertThat(get(loadBase)).isNull();
        // every init is entered while all of them are held: none waits for a resumer to come free
        for (TestKernel.Gate g : gates) {
            g.awaitEntered();
        }
        gates.forEach(TestKernel.Gate::open);
        for (var load : loads) {
            assertThat(outcome(load)).isNull();
        }
        assertThat(m.refcnt("fx_base")).contains(n + "\n");
    }

    /**
     * A blocking finit_module of {@code file} on a thread of its own, interrupted (a signal) once it
     * sleeps on module_wq: its errno, or null for success.
     */
    private static Errno interruptedWhileWaiting(Modules m, FakeInode file) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Errno> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> result.set(errnoOf(() -> m.finitModule(file.open(), "", 0))));
        caller.start();
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(TestKernel.WAIT_S));
        assertThat(caller.isAlive()).isFalse();
        return result.get();
    }

    @Test
    void finitModule_blockingDuplicateCheckInterrupted_failsEintr_unrecorded() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        assertThat(interruptedWhileWaiting(m, base)).isEqualTo(Errno.EINTR);
        assertThat(m.stats()).doesNotContain("Duplicate failed modules");
        assertThat(stat(m, "Mods failed on becoming")).isEqualTo("1");
        assertThat(m.bytesInFlight()).isZero();
        gate.open();
        assertThat(get(first)).isNull();
    }

    @Test
    void finitModule_blockingSymbolWaitInterrupted_givesUpWithEbusy() throws Exception {
        Modules m = kernel(Policy.PLAIN);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        // wait_event_interruptible_timeout()'s signal is a give-up, as its timeout is
        assertThat(interruptedWhileWaiting(m, user)).isEqualTo(Errno.EBUSY);
        assertThat(stat(m, "Mods failed on load")).isEqualTo("1");
        gate.open();
        assertThat(get(loadBase)).isNull();
        assertThat(m.refcnt("fx_base")).contains("0\n");
    }

    @Test
    void finitModuleLater_idempotentLoaderParkedOnASymbol_itsGroupGetsTheResultWhenItEnds() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        var loader = later(m, user); // first of user's group: parks on base's symbol
        var joiner = later(m, user); // joins the group
        assertThat(loader).isNotDone();
        assertThat(joiner).isNotDone();
        assertThat(m.parkedLoads()).isEqualTo(1);
        assertThat(m.idempotent.members(user.key)).isEqualTo(2);

        gate.open();
        assertThat(get(loadBase)).isNull();
        assertThat(outcome(loader)).isNull();
        assertThat(outcome(joiner)).isNull();
        assertThat(user.reads.get()).isEqualTo(1);
        assertThat(m.idempotent.groups()).isZero();
    }

    @Test
    void finitModuleLater_notWaiting_isDoneWhenItReturns() {
        Modules m = kernel(Policy.IDEMPOTENT);
        var call = m.finitModuleLater(base.open(), "", 0);
        assertThat(call).isCompleted();
        assertThat(m.finitModuleLater(base.open(), "", 0)).isCompletedExceptionally(); // EEXIST, at once
    }

    @Test
    void finitModule_idempotent_firstFails_waitersGetItsErrno() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        k.init.fail("fx_base", Errno.ENODEV);
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> second = k.process(() -> m.finitModule(base.open(), "", 0));
        assertThat(m.idempotent.awaitMembers(base.key, 2, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        gate.open();
        assertThat(get(first)).isEqualTo(Errno.ENODEV);
        assertThat(get(second)).isEqualTo(Errno.ENODEV);
        assertThat(base.reads.get()).isEqualTo(1);
        assertThat(m.idempotent.groups()).isZero();
    }

    @Test
    void finitModule_idempotent_waiterInterrupted_failsEintrAndLeavesGroup() throws Exception {
        Modules m = kernel(Policy.IDEMPOTENT);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> waiter = k.process(() -> m.finitModule(base.open(), "", 0));
        assertThat(m.idempotent.awaitMembers(base.key, 2, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        waiter.cancel(true); // kill -INT: cancel interrupts the thread; its result is read below instead
        assertThat(m.idempotent.members(base.key)).isLessThanOrEqualTo(2);
        // the interrupted waiter has left; only the loader remains until it completes
        awaitMembersAtMost(m, 1);
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(m.idempotent.groups()).isZero();
    }

    private void awaitMembersAtMost(Modules m, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestKernel.WAIT_S);
        while (m.idempotent.members(base.key) > n) {
            assertThat(System.nanoTime()).as("waiter never left the group").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void finitModule_idempotent_serialDuplicate_readsAgainAndFailsEexist() {
        Modules m = kernel(Policy.IDEMPOTENT);
        assertThat(finit(m, base)).isNull();
        assertThat(finit(m, base)).isEqualTo(Errno.EEXIST);
        assertThat(base.reads.get()).isEqualTo(2);
        assertThat(stat(m, "Failed becoming bytes")).isEqualTo(Long.toString(len(base)));
    }

    @Test
    void finitModule_exclusivePolicy_serialDuplicate_failsEexistCountedBecoming() {
        // the 474,688 bytes of REFERENCE section 7: one serial duplicate, counted without its signature
        Modules m = kernel(Policy.EXCLUSIVE);
        FakeInode signed = new FakeInode(SignedImages.sign(Fixtures.base()));
        assertThat(finit(m, signed)).isNull();
        assertThat(finit(m, signed)).isEqualTo(Errno.EEXIST);
        assertThat(stat(m, "Failed becoming bytes")).isEqualTo(Long.toString(len(base)));
        assertThat(stat(m, "Virtual mem wasted bytes")).isEqualTo(Long.toString(len(base)));
        assertThat(m.stats()).contains(String.format("%25s\t%15d\t%25s\n", "fx_base", 1, "Becoming"));
    }

    /** kmod's probe: dependencies first, EEXIST is success, any other error aborts the probe. */
    private static Errno modprobe(Modules m, FakeInode... chain) {
        for (FakeInode f : chain) {
            Errno e = finit(m, f);
            if (e != null && e != Errno.EEXIST) {
                return e;
            }
        }
        return null;
    }

    @Test
    void finitModule_sharedDependency_exclusive_secondGetsEtxtbsy() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> probe1 = k.process(() -> assertOk(modprobe(m, base, user))); // modprobe fx_user
        gate.awaitEntered();

        Future<Errno> probe2 = k.process(() -> assertOk(modprobe(m, base, user2))); // modprobe fx_user2, meanwhile
        Errno second = get(probe2); // decided while fx_base is still COMING
        gate.open();

        assertThat(second).isEqualTo(Errno.ETXTBSY); // the revert: a device lost its driver
        assertThat(get(probe1)).isNull();
        assertThat(m.moduleNames()).containsExactly("fx_user", "fx_base");
    }

    @ParameterizedTest
    @EnumSource(value = Policy.class, names = {"PLAIN", "IDEMPOTENT"})
    void finitModule_sharedDependency_bothProbesSucceed(Policy policy) throws Exception {
        Modules m = kernel(policy);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> probe1 = k.process(() -> assertOk(modprobe(m, base, user)));
        gate.awaitEntered();
        Future<Errno> probe2 = k.process(() -> assertOk(modprobe(m, base, user2)));
        if (policy == Policy.PLAIN) {
            assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();
        } else {
            assertThat(m.idempotent.awaitMembers(base.key, 2, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();
        }
        gate.open();

        assertThat(get(probe1)).isNull();
        assertThat(get(probe2)).isNull();
        assertThat(m.moduleNames()).containsExactlyInAnyOrder("fx_user", "fx_user2", "fx_base");
        assertThat(m.holders("fx_base").orElseThrow()).containsExactlyInAnyOrder("fx_user", "fx_user2");
    }

    private static void assertOk(Errno e) {
        if (e != null) {
            throw new ErrnoException(e, "probe failed");
        }
    }

    // ---- image checks ----

    @Test
    void finitModule_compressedFile_decompressesAndLoads() {
        Modules m = kernel(Policy.EXCLUSIVE);
        FakeInode xz = new FakeInode(Compressed.xz(Fixtures.base()));
        assertThat(errnoOf(() -> m.finitModule(xz.open(), "", Modules.MODULE_INIT_COMPRESSED_FILE))).isNull();
        assertThat(m.initstate("fx_base")).contains("live\n");
        assertThat(m.bytesInFlight()).isZero();
    }

    @Test
    void finitModule_compressedFlagOnPlainFile_failsDecompressCountingCompressedBytes() {
        Modules m = kernel(Policy.EXCLUSIVE);
        assertThat(errnoOf(() -> m.finitModule(base.open(), "", Modules.MODULE_INIT_COMPRESSED_FILE)))
                .isEqualTo(Errno.EINVAL);
        assertThat(stat(m, "Mods failed on decompress")).isEqualTo("1");
        assertThat(stat(m, "Failed decompress bytes")).isEqualTo(Long.toString(len(base)));
        assertThat(m.bytesInFlight()).isZero();
    }

    @Test
    void finitModule_compressedDuplicate_countsCompressedSizeToo() {
        Modules m = kernel(Policy.EXCLUSIVE);
        FakeInode xz = new FakeInode(Compressed.xz(Fixtures.base()));
        m.finitModule(xz.open(), "", Modules.MODULE_INIT_COMPRESSED_FILE);
        assertThat(errnoOf(() -> m.finitModule(xz.open(), "", Modules.MODULE_INIT_COMPRESSED_FILE))).isEqualTo(Errno.EEXIST);
        assertThat(stat(m, "Failed becoming bytes")).isEqualTo(Long.toString(len(base) + len(xz)));
    }

    @Test
    void finitModule_notAnElfFile_failsEnoexecCountedBecoming() {
        Modules m = kernel(Policy.EXCLUSIVE);
        FakeInode junk = new FakeInode(new byte[4096]);
        assertThat(finit(m, junk)).isEqualTo(Errno.ENOEXEC);
        assertThat(stat(m, "Failed becoming bytes")).isEqualTo("4096");
    }

    @Test
    void finitModule_vermagicMismatch_failsEnoexec() {
        Modules m = k.builder().vermagic("6.4.0-rc4 SMP preempt mod_unload ").build();
        assertThat(finit(m, base)).isEqualTo(Errno.ENOEXEC);
        assertThat(stat(m, "Mods failed on becoming")).isEqualTo("1");
    }

    @Test
    void finitModule_releaseDiffersButModversions_loads() {
        // same_magic() leaves the release to the CRCs when the module has __versions
        Modules m = k.builder().vermagic("6.4.0-other SMP preempt mod_unload modversions ").build();
        assertThat(finit(m, base)).isEqualTo(Errno.ENOEXEC); // no __versions: full compare
        assertThat(finit(m, user)).isNotEqualTo(Errno.ENOEXEC); // __versions: tail compare only
    }

    @Test
    void finitModule_ignoreVermagic_loadsTaintedOnlyWithForceLoad() {
        Modules strict = k.builder().vermagic("7.0 other").forceLoad(false).build();
        assertThat(errnoOf(() -> strict.finitModule(base.open(), "", Modules.MODULE_INIT_IGNORE_VERMAGIC)))
                .isEqualTo(Errno.ENOEXEC);
        Modules debian = k.builder().vermagic("7.0 other").build();
        assertThat(errnoOf(() -> debian.finitModule(base.open(), "", Modules.MODULE_INIT_IGNORE_VERMAGIC))).isNull();
        assertThat(debian.procModules()).contains("(FOE)");
    }

    @Test
    void finitModule_blacklisted_failsEperm() {
        Modules m = k.builder().blacklist(List.of("fx_base")).build();
        assertThat(finit(m, base)).isEqualTo(Errno.EPERM);
    }

    @Test
    void finitModule_loadingDisabled_failsEperm() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.disableLoading();
        assertThat(finit(m, base)).isEqualTo(Errno.EPERM);
        assertThat(base.writes.value()).isZero();
    }

    // ---- symbols ----

    @Test
    void finitModule_unresolvedSymbol_failsEnoentCountedLoad() {
        Modules m = kernel(Policy.EXCLUSIVE);
        assertThat(finit(m, user)).isEqualTo(Errno.ENOENT); // fx_base not loaded
        assertThat(stat(m, "Mods failed on load")).isEqualTo("1");
        assertThat(stat(m, "Failed kmod bytes")).isEqualTo(Long.toString(2 * len(user)));
        assertThat(m.moduleNames()).isEmpty();
    }

    @Test
    void finitModule_symbolOfComingModule_waitsThenTakesReference() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> loadUser = k.process(() -> m.finitModule(user.open(), "", 0));
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        gate.open();
        assertThat(get(loadBase)).isNull();
        assertThat(get(loadUser)).isNull();
        assertThat(m.refcnt("fx_base")).contains("1\n");
        assertThat(m.holders("fx_base")).contains(List.of("fx_user"));
    }

    @Test
    void finitModule_symbolOwnerComingTooLong_failsEbusy() throws Exception {
        Modules m = k.builder().symbolWait(TestKernel.shortWait()).build();
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> loadBase = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();

        assertThat(finit(m, user)).isEqualTo(Errno.EBUSY);
        assertThat(stat(m, "Mods failed on load")).isEqualTo("1");
        gate.open();
        assertThat(get(loadBase)).isNull();
        assertThat(m.refcnt("fx_base")).contains("0\n");
    }

    @Test
    void finitModule_crcMismatch_failsEinval() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        FakeInode bad = new FakeInode(Fixtures.user("fx_user", "USER_CRC=0xdeadbeef"));
        assertThat(finit(m, bad)).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> m.finitModule(bad.open(), "", Modules.MODULE_INIT_IGNORE_MODVERSIONS))).isNull();
        assertThat(m.procModules()).contains("fx_user").contains("(FOE)");
    }

    @Test
    void finitModule_gplOnlySymbolForProprietaryModule_failsEnoent() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        FakeInode prop = new FakeInode(Fixtures.user("fx_user", "LICENSE=\"Proprietary\""));
        assertThat(finit(m, prop)).isEqualTo(Errno.ENOENT);
    }

    @Test
    void finitModule_namespaceNotImported_failsEinval() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        assertThat(finit(m, new FakeInode(Fixtures.user("fx_user", "USE_NS")))).isEqualTo(Errno.EINVAL);
        assertThat(finit(m, new FakeInode(Fixtures.user("fx_user", "USE_NS", "IMPORT_NS")))).isNull();
    }

    @Test
    void finitModule_duplicateExport_failsEnoexec() {
        Modules m = k.builder().vmlinux(VmlinuxSymbols.of(List.of("_printk", "fx_base_data"))).build();
        assertThat(finit(m, base)).isEqualTo(Errno.ENOEXEC);
        assertThat(stat(m, "Mods failed on load")).isEqualTo("1");
    }

    // ---- init ----

    @Test
    void finitModule_duringInit_moduleIsComingWithInitReference() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> load = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();

        assertThat(m.initstate("fx_base")).contains("coming\n");
        assertThat(m.refcnt("fx_base")).contains("1\n");
        assertThat(m.bytesInFlight()).isZero(); // the copy is freed before init runs
        gate.open();
        assertThat(get(load)).isNull();
        assertThat(m.initstate("fx_base")).contains("live\n");
        assertThat(m.refcnt("fx_base")).contains("0\n");
    }

    @Test
    void finitModule_initFails_moduleFreedWithoutStatistic() {
        Modules m = kernel(Policy.EXCLUSIVE);
        k.init.fail("fx_base", Errno.ENODEV);
        String before = m.stats();
        assertThat(finit(m, base)).isEqualTo(Errno.ENODEV);
        assertThat(m.stats()).isEqualTo(before);
        assertThat(m.moduleNames()).isEmpty();
        assertThat(base.writes.value()).isZero();
        assertThat(m.bytesInFlight()).isZero();
    }

    @Test
    void finitModule_initFailsWhileUsing_dropsItsReferences() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        k.init.fail("fx_user", Errno.EIO);
        assertThat(finit(m, user)).isEqualTo(Errno.EIO);
        assertThat(m.refcnt("fx_base")).contains("0\n");
        assertThat(m.holders("fx_base")).contains(List.of());
    }

    @Test
    void finitModule_success_countsPageAlignedSizes() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        ModuleImage img = ModuleImage.parse(base.data);
        assertThat(stat(m, "Mods ever loaded")).isEqualTo("1");
        assertThat(stat(m, "Total module size")).isEqualTo(Long.toString(img.totalSize()));
        assertThat(stat(m, "Total mod text size")).isEqualTo(Long.toString(img.textSize()));
    }

    // ---- init_module ----

    @Test
    void initModule_concurrentSameImage_noExclusionWaitsThenEexist() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.initModule(ByteBuffer.wrap(base.data), ""));
        gate.awaitEntered();
        Future<Errno> second = k.process(() -> m.initModule(ByteBuffer.wrap(base.data), ""));
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();

        gate.open();
        assertThat(get(first)).isNull();
        assertThat(get(second)).isEqualTo(Errno.EEXIST);
        assertThat(base.writes.value()).isZero();
    }

    @Test
    void initModule_shorterThanElfHeader_failsEnoexecCountedAsKreadBytes() {
        Modules m = kernel(Policy.EXCLUSIVE);
        assertThat(errnoOf(() -> m.initModule(ByteBuffer.wrap(new byte[10]), ""))).isEqualTo(Errno.ENOEXEC);
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("1");
        assertThat(stat(m, "Failed kread bytes")).isEqualTo("10");
    }

    // ---- delete_module ----

    @Test
    void deleteModule_absent_failsEnoent() {
        Modules m = kernel(Policy.EXCLUSIVE);
        assertThat(errnoOf(() -> m.deleteModule("fx_base", Modules.O_NONBLOCK))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void deleteModule_whileUsed_failsEwouldblock() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        m.finitModule(user.open(), "", 0);
        assertThat(errnoOf(() -> m.deleteModule("fx_base", Modules.O_NONBLOCK))).isEqualTo(Errno.EWOULDBLOCK);
        assertThat(errnoOf(() -> m.deleteModule("fx_base", Modules.O_NONBLOCK | Modules.O_TRUNC))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void deleteModule_userThenLibrary_dropsReferenceAndUnloads() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(base.open(), "", 0);
        m.finitModule(user.open(), "", 0);
        m.deleteModule("fx_user", Modules.O_NONBLOCK); // rmmod fx_user
        assertThat(m.refcnt("fx_base")).contains("0\n");
        m.deleteModule("fx_base", Modules.O_NONBLOCK);
        assertThat(m.moduleNames()).isEmpty();
        assertThat(finit(m, base)).isNull(); // loadable again
    }

    @Test
    void deleteModule_whileComing_failsEbusy() throws Exception {
        Modules m = kernel(Policy.EXCLUSIVE);
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> load = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        assertThat(errnoOf(() -> m.deleteModule("fx_base", Modules.O_NONBLOCK))).isEqualTo(Errno.EBUSY);
        gate.open();
        assertThat(get(load)).isNull();
    }

    @Test
    void deleteModule_permanentModule_failsEbusyUnlessForced() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.finitModule(new FakeInode(Fixtures.permanent()).open(), "", 0);
        assertThat(errnoOf(() -> m.deleteModule("fx_permanent", Modules.O_NONBLOCK))).isEqualTo(Errno.EBUSY);
        Modules noForce = k.builder().forceUnload(false).build();
        noForce.finitModule(new FakeInode(Fixtures.permanent()).open(), "", 0);
        assertThat(errnoOf(() -> noForce.deleteModule("fx_permanent", Modules.O_TRUNC))).isEqualTo(Errno.EBUSY);
        assertThat(errnoOf(() -> m.deleteModule("fx_permanent", Modules.O_NONBLOCK | Modules.O_TRUNC))).isNull();
    }

    @Test
    void setPolicy_atRunTime_appliesToTheNextCall() {
        Modules m = kernel(Policy.EXCLUSIVE);
        m.setPolicy(Policy.PLAIN);
        try (FakeInode.Handle writer = base.openWriteOnly()) {
            assertThat(finit(m, base)).isEqualTo(Errno.ETXTBSY);
        }
        assertThat(stat(m, "Mods failed on kread")).isEqualTo("1"); // the PLAIN path counted it
        assertThat(m.policy()).isEqualTo(Policy.PLAIN);
        assertThatThrownBy(() -> m.setPolicy(null)).isInstanceOf(NullPointerException.class);
    }
}
