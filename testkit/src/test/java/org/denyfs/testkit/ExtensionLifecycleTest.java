package org.denyfs.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import org.denyfs.abi.MountTable;
import org.denyfs.testkit.samples.BusyAtUnmount;
import org.denyfs.testkit.samples.FailingTest;
import org.denyfs.testkit.samples.OneMountPerClass;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The extension's promise, on sample test classes run through JUnit's own engine. */
class ExtensionLifecycleTest {
    @Test
    void denyfsMount_afterAFailedTest_isUnmountedAndRemoved() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingTest.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(1).failed(1));
        assertThat(FailingTest.seen).isNotNull();
        assertThat(MountTable.isMounted(FailingTest.seen)).isFalse();
        assertThat(FailingTest.seen.getParent()).doesNotExist();
    }

    @Test
    void denyfsMount_inBeforeAll_isOneMountForTheClassUnmountedAfterIt() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OneMountPerClass.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(OneMountPerClass.seen).hasSize(3).containsOnly(OneMountPerClass.seen.get(0));
        assertThat(MountTable.isMounted(OneMountPerClass.seen.get(0))).isFalse();
        assertThat(Files.exists(OneMountPerClass.seen.get(0).getParent())).isFalse();
    }

    @Test
    void denyfsMount_leftBusyByAnOpenFile_failsTheTestAndIsDetachedAnyway() throws Exception {
        try {
            Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(BusyAtUnmount.class)).execute()
                    .testEvents();
            Throwable failure = tests.failed().stream().findFirst().orElseThrow()
                    .getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow();
            assertThat(failure).hasStackTraceContaining("was busy at unmount");
            assertThat(MountTable.isMounted(BusyAtUnmount.seen)).isFalse();
            assertThat(BusyAtUnmount.seen.getParent()).doesNotExist();
        } finally {
            if (BusyAtUnmount.leaked != null) {
                BusyAtUnmount.leaked.close();
            }
        }
    }
}
