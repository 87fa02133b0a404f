package org.denyfs.kernel.module;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.denyfs.core.InodeKey;
import org.denyfs.core.WriteCount;

/**
 * A backing inode for tests: its bytes, its i_writecount and its key; handles opened on it share
 * all three, as every fd and hard link of a real file does.
 */
final class FakeInode {
    private static final AtomicLong NEXT_INO = new AtomicLong(1000);

    final InodeKey key = new InodeKey(0x801, NEXT_INO.getAndIncrement());
    final WriteCount writes = new WriteCount();
    final AtomicInteger reads = new AtomicInteger();
    /** i_writecount as the last read saw it. */
    volatile int countAtRead;
    volatile byte[] data;
    volatile boolean regular = true;

    FakeInode(byte[] data) {
        this.data = data;
    }

    /** open(O_RDONLY). */
    Handle open() {
        return new Handle(true, false, false);
    }

    /** open(O_RDWR): takes write access, as the kernel's open does. Close it to drop it. */
    Handle openReadWrite() {
        writes.get();
        return new Handle(true, true, false);
    }

    /** open(O_WRONLY). */
    Handle openWriteOnly() {
        writes.get();
        return new Handle(false, true, false);
    }

    /** open(O_PATH). */
    Handle openPath() {
        return new Handle(false, false, true);
    }

    final class Handle implements ModuleFile, AutoCloseable {
        private final boolean readable;
        private final boolean write;
        private final boolean path;
        private volatile boolean closed;

        Handle(boolean readable, boolean write, boolean path) {
            this.readable = readable;
            this.write = write;
            this.path = path;
        }

        @Override
        public Denial denyWrites() {
            writes.deny();
            return once(writes::allow);
        }

        @Override
        public Denial exclusiveDenyWrites() {
            writes.exclusiveDeny();
            return once(writes::allow);
        }

        private Denial once(Runnable allow) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            return () -> {
                if (done.compareAndSet(false, true)) {
                    allow.run();
                }
            };
        }

        @Override
        public String name() {
            // as /proc/self/fd/N: once the descriptor is closed its number names nothing (or another file)
            if (closed) {
                throw new IllegalStateException("name() of a closed descriptor");
            }
            return "ino" + key.ino() + ".ko";
        }

        @Override
        public int uid() {
            return 0;
        }

        @Override
        public InodeKey inode() {
            return key;
        }

        @Override
        public boolean readable() {
            return readable;
        }

        @Override
        public boolean openedForWrite() {
            return write;
        }

        @Override
        public boolean pathOnly() {
            return path;
        }

        @Override
        public boolean regularFile() {
            return regular;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public int readFully(ByteBuffer dst) throws IOException {
            reads.incrementAndGet();
            countAtRead = writes.value();
            byte[] d = data;
            int n = Math.min(dst.remaining(), d.length);
            dst.put(d, 0, n);
            return n;
        }

        /** close(): the final fput drops the write access an O_RDWR/O_WRONLY open took. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (write) {
                    writes.put();
                }
            }
        }
    }
}
