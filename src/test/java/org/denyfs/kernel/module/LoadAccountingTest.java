package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.denyfs.kernel.module.TestKernel.get;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.denyfs.core.Errno;
import org.denyfs.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * denyfs's own accounting beside the kernel's statistics: finit/init_module results per file
 * (.denyfs/calls) and bytes in flight over time (.denyfs/inflight), which the herd benchmark reads.
 */
class LoadAccountingTest {
    private final TestKernel k = new TestKernel();
    private final FakeInode base = new FakeInode(Fixtures.base());

    @AfterEach
    void tearDown() {
        k.close();
    }

    private static List<String> callLines(Modules m) {
        return m.callsTable().lines().toList();
    }

    @Test
    void callsTable_concurrentFinitUnderExclusive_countsOneOkAndOneEtxtbsyForTheFile() throws Exception {
        Modules m = k.builder().policy(Policy.EXCLUSIVE).build();
        TestKernel.Gate gate = k.init.gate("fx_base");
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        assertThat(get(k.process(() -> m.finitModule(base.open(), "", 0)))).isEqualTo(Errno.ETXTBSY);
        gate.open();
        assertThat(get(first)).isNull();

        String file = base.open().name();
        assertThat(callLines(m)).first().isEqualTo("# call\tfile\tresult\tcount\tcpu_us");
        assertThat(callLines(m)).anyMatch(l -> l.startsWith("finit_module\t" + file + "\t0\t1\t"))
                .anyMatch(l -> l.startsWith("finit_module\t" + file + "\tETXTBSY\t1\t"))
                .hasSize(3);
    }

    @Test
    void callsTable_initModuleDuplicate_countsEexistUnderInitModule() throws Exception {
        Modules m = k.builder().policy(Policy.IDEMPOTENT).build();
        m.initModule(java.nio.ByteBuffer.wrap(base.data), "");
        assertThat(TestKernel.errnoOf(() -> m.initModule(java.nio.ByteBuffer.wrap(base.data), ""))).isEqualTo(Errno.EEXIST);

        assertThat(callLines(m)).anyMatch(l -> l.startsWith("init_module\t-\t0\t1\t"))
                .anyMatch(l -> l.startsWith("init_module\t-\tEEXIST\t1\t"));
    }

    @Test
    void inflightTimeline_concurrentPlainLoads_recordsEveryAllocationAndFreeInOrder() throws Exception {
        Modules m = k.builder().policy(Policy.PLAIN).build();
        TestKernel.Gate gate = k.init.gate("fx_base");
        long before = System.nanoTime();
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> second = k.process(() -> m.finitModule(base.open(), "", 0));
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(get(second)).isEqualTo(Errno.EEXIST);

        List<String> lines = m.inflightTimeline().lines().toList();
        assertThat(lines.get(0)).isEqualTo("# clock_monotonic_ns\tbytes_in_flight\tdropped=0");
        long[] nanos = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split("\t")[0])).toArray();
        long[] bytes = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split("\t")[1])).toArray();
        assertThat(bytes).hasSize(2 * base.reads.get()); // one vmalloc and one vfree per read
        assertThat(nanos).isSorted();
        assertThat(nanos[0]).isGreaterThanOrEqualTo(before);
        assertThat(Arrays.stream(bytes).max().orElseThrow()).isEqualTo(m.peakBytesInFlight());
        assertThat(bytes[bytes.length - 1]).isZero();
        assertThat(bytes[0]).isEqualTo(base.data.length);
    }

    @Test
    void inflightTrace_pastItsBound_keepsTheFirstEventsAndCountsTheRest() {
        InflightTrace trace = new InflightTrace(3000); // grows past its first array, then fills
        for (int i = 0; i < 3000 + 5; i++) {
            trace.record(i, i);
        }
        assertThat(trace.size()).isEqualTo(3000);
        assertThat(trace.dropped()).isEqualTo(5);
        assertThat(trace.text()).startsWith("# clock_monotonic_ns\tbytes_in_flight\tdropped=5\n0\t0\n1\t1\n")
                .endsWith("\n2999\t2999\n").isEqualTo(trace.snapshot().text());
    }

    @Test
    void callTrace_concurrentFinitUnderExclusiveRead_listsEachCallInTheOrderItEnded() throws Exception {
        Modules m = k.builder().policy(Policy.EXCLUSIVE_READ).build();
        TestKernel.Gate gate = k.init.gate("fx_base");
        long before = System.nanoTime();
        Future<Errno> first = k.process(() -> m.finitModule(base.open(), "", 0));
        gate.awaitEntered();
        Future<Errno> second = k.process(() -> m.finitModule(base.open(), "", 0));
        assertThat(m.table.awaitSleepers(1, TestKernel.WAIT_S, TimeUnit.SECONDS)).isTrue();
        gate.open();
        assertThat(get(first)).isNull();
        assertThat(get(second)).isEqualTo(Errno.EEXIST);

        String file = base.open().name();
        List<String> lines = m.callTrace().lines().toList();
        assertThat(lines.get(0)).isEqualTo("# clock_monotonic_ns\tcall\tfile\tresult\tdropped=0");
        // which of the two ends first is not decided: the first's module is live (and the second woken)
        // before the first call has returned; the trace lists them as they ended, in time order
        assertThat(lines.stream().skip(1).map(l -> l.substring(l.indexOf('\t') + 1)))
                .containsExactlyInAnyOrder("finit_module\t" + file + "\t0", "finit_module\t" + file + "\tEEXIST");
        long[] nanos = lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split("\t")[0])).toArray();
        assertThat(nanos).isSorted();
        assertThat(nanos[0]).isGreaterThanOrEqualTo(before);
    }

    @Test
    void callTrace_pastItsBound_keepsTheFirstCallsAndCountsTheRest() {
        CallTrace trace = new CallTrace(3);
        for (int i = 0; i < 5; i++) {
            trace.record("finit_module", "m" + i + ".ko", "0");
        }
        assertThat(trace.size()).isEqualTo(3);
        assertThat(trace.text()).startsWith("# clock_monotonic_ns\tcall\tfile\tresult\tdropped=2\n")
                .contains("\tfinit_module\tm2.ko\t0\n").doesNotContain("m3.ko");
    }
}
