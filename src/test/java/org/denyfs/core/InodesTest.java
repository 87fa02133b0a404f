package org.denyfs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InodesTest {
    private static final InodeKey A = new InodeKey(1, 100);
    private static final InodeKey B = new InodeKey(1, 200);
    private final Inodes inodes = new Inodes();

    @Test
    void take_write_thenRelease_leavesNoEntryBehind() {
        Hold h = inodes.take(A, HoldKind.WRITE, 42, 0);
        assertThat(inodes.count(A)).isEqualTo(1);
        assertThat(inodes.size()).isEqualTo(1);
        assertThat(h.inode().holds()).containsExactly(h);
        inodes.release(h);
        assertThat(inodes.count(A)).isZero();
        assertThat(inodes.size()).isZero();
    }

    @Test
    void take_refused_leavesNoEntryBehind() {
        Hold deny = inodes.take(A, HoldKind.DENY, 1, 0);
        assertThatThrownBy(() -> inodes.take(A, HoldKind.WRITE, 2, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ETXTBSY));
        assertThat(deny.inode().holds()).containsExactly(deny);
        inodes.release(deny);
        assertThat(inodes.size()).isZero();
    }

    @Test
    void getWriteAccess_isPerInode_notPerTable() {
        Hold deny = inodes.take(A, HoldKind.DENY, 1, 0);
        Hold write = inodes.take(B, HoldKind.WRITE, 1, 0);
        assertThat(inodes.count(A)).isEqualTo(-1);
        assertThat(inodes.count(B)).isEqualTo(1);
        inodes.release(deny);
        inodes.release(write);
    }

    @Test
    void release_twice_isABug() {
        Hold h = inodes.take(A, HoldKind.EXEC, 1, 0);
        inodes.release(h);
        assertThatThrownBy(() -> inodes.release(h)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void take_refused_retriesOnceTheStaleHolderCheckReportsTheBlockerGone() {
        Hold[] stale = new Hold[1];
        List<HoldKind> asked = new ArrayList<>();
        Inodes[] table = new Inodes[1];
        // stands in for kernel.passthrough.PendingReleases: "no process holds that writer; its RELEASE just landed"
        table[0] = new Inodes((inode, refused) -> {
            asked.add(refused);
            table[0].release(stale[0]);
            return true;
        });
        stale[0] = table[0].take(A, HoldKind.WRITE, 1, 0);
        Hold deny = table[0].take(A, HoldKind.DENY, 2, 0);
        assertThat(asked).containsExactly(HoldKind.DENY);
        assertThat(table[0].count(A)).isEqualTo(-1);
        table[0].release(deny);
        assertThat(table[0].size()).isZero();
    }

    @Test
    void take_refused_standsWhenTheStaleHolderCheckSaysAlive() {
        Inodes table = new Inodes((inode, refused) -> false);
        Hold writer = table.take(A, HoldKind.WRITE, 1, 0);
        assertThatThrownBy(() -> table.take(A, HoldKind.EXCLUSIVE_DENY, 2, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ETXTBSY));
        assertThat(writer.inode().holds()).containsExactly(writer);
        table.release(writer);
        assertThat(table.size()).isZero();
    }

    @Test
    void takeAndRelease_fromManyThreads_endWithAnEmptyTable() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    InodeKey key = new InodeKey(1, (i + seed) % 5);
                    HoldKind kind = HoldKind.values()[(i * 7 + seed) % 3];
                    try {
                        inodes.release(inodes.take(key, kind, seed, 0));
                    } catch (ErrnoException refused) {
                        assertThat(refused.errno()).isEqualTo(Errno.ETXTBSY);
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(inodes.size()).isZero();
    }
}
