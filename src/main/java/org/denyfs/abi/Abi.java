package org.denyfs.abi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The constants of {@code src/main/c/include/denyfs_abi.h}, the authority, mirrored for Java.
 * A leaf with no dependencies, so clients can use it without the daemon. Ioctl numbers are computed
 * with the kernel's formula rather than pasted; {@code AbiTest} compares both copies.
 */
public final class Abi {
    public static final char IOC_MAGIC = 'D';
    public static final int IOC_QUERY = Ioctl.ior(IOC_MAGIC, 1, Integer.BYTES);
    public static final int IOC_DENY = Ioctl.ior(IOC_MAGIC, 2, Integer.BYTES);
    public static final int IOC_XDENY = Ioctl.ior(IOC_MAGIC, 3, Integer.BYTES);
    public static final int IOC_ALLOW = Ioctl.ior(IOC_MAGIC, 4, Integer.BYTES);
    /** struct denyfs_finit_args: int32 flags, int32 options, char params[FINIT_PARAMS_MAX]. */
    public static final int FINIT_PARAMS_MAX = 4088;
    /** options: a call that waits for another load answers with a ticket for "wait TICKET". */
    public static final int FINIT_TICKET = 1;
    public static final int FINIT_ARGS_SIZE = 8 + FINIT_PARAMS_MAX;
    public static final int IOC_FINIT = Ioctl.iow(IOC_MAGIC, 5, FINIT_ARGS_SIZE);
    public static final int IOC_FIRMWARE = Ioctl.ior(IOC_MAGIC, 6, Long.BYTES);

    public static final String CONTROL_PATH = ".denyfs/control";
    public static final String VERB_QUERY = "query";
    public static final String VERB_DENY = "deny";
    public static final String VERB_XDENY = "xdeny";
    public static final String VERB_ALLOW = "allow";
    public static final String VERB_HOLDERS = "holders";
    public static final String VERB_STATUS = "status";
    public static final String VERB_FINIT = "finit";
    public static final String VERB_INIT = "init";
    public static final String VERB_DELETE = "delete";
    public static final String VERB_POLICY = "policy";
    public static final String VERB_WAIT = "wait";
    public static final String VERB_FIRMWARE = "firmware";
    public static final String PROC_MODULES = ".denyfs/proc/modules";
    public static final String SYS_MODULE = ".denyfs/sys/module";
    public static final String STATS = ".denyfs/stats";
    public static final String CALLS = ".denyfs/calls";
    public static final String INFLIGHT = ".denyfs/inflight";
    public static final String CALLTRACE = ".denyfs/calltrace";
    public static final String FSTYPE = "fuse.denyfs";

    private Abi() {}

    /** Every constant by its C name, for the test that compares with the header. */
    public static Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("DENYFS_IOC_QUERY", IOC_QUERY);
        m.put("DENYFS_IOC_DENY", IOC_DENY);
        m.put("DENYFS_IOC_XDENY", IOC_XDENY);
        m.put("DENYFS_IOC_ALLOW", IOC_ALLOW);
        m.put("DENYFS_FINIT_PARAMS_MAX", FINIT_PARAMS_MAX);
        m.put("DENYFS_FINIT_TICKET", FINIT_TICKET);
        m.put("DENYFS_IOC_FINIT", IOC_FINIT);
        m.put("DENYFS_IOC_FIRMWARE", IOC_FIRMWARE);
        m.put("DENYFS_CONTROL_PATH", CONTROL_PATH);
        m.put("DENYFS_VERB_QUERY", VERB_QUERY);
        m.put("DENYFS_VERB_DENY", VERB_DENY);
        m.put("DENYFS_VERB_XDENY", VERB_XDENY);
        m.put("DENYFS_VERB_ALLOW", VERB_ALLOW);
        m.put("DENYFS_VERB_HOLDERS", VERB_HOLDERS);
        m.put("DENYFS_VERB_STATUS", VERB_STATUS);
        m.put("DENYFS_VERB_FINIT", VERB_FINIT);
        m.put("DENYFS_VERB_INIT", VERB_INIT);
        m.put("DENYFS_VERB_DELETE", VERB_DELETE);
        m.put("DENYFS_VERB_POLICY", VERB_POLICY);
        m.put("DENYFS_VERB_WAIT", VERB_WAIT);
        m.put("DENYFS_VERB_FIRMWARE", VERB_FIRMWARE);
        m.put("DENYFS_PROC_MODULES", PROC_MODULES);
        m.put("DENYFS_SYS_MODULE", SYS_MODULE);
        m.put("DENYFS_STATS", STATS);
        m.put("DENYFS_CALLS", CALLS);
        m.put("DENYFS_INFLIGHT", INFLIGHT);
        m.put("DENYFS_CALLTRACE", CALLTRACE);
        m.put("DENYFS_FSTYPE", FSTYPE);
        return m;
    }

    /** include/uapi/asm-generic/ioctl.h: dir in bits 30-31, size 16-29, type 8-15, number 0-7. */
    public static final class Ioctl {
        static final int NONE = 0;
        static final int WRITE = 1;
        static final int READ = 2;

        private Ioctl() {}

        public static int ioc(int dir, char type, int nr, int size) {
            return dir << 30 | size << 16 | type << 8 | nr;
        }

        public static int ior(char type, int nr, int size) {
            return ioc(READ, type, nr, size);
        }

        public static int iow(char type, int nr, int size) {
            return ioc(WRITE, type, nr, size);
        }

        public static int iowr(char type, int nr, int size) {
            return ioc(READ | WRITE, type, nr, size);
        }

        public static int size(int cmd) {
            return cmd >>> 16 & 0x3fff;
        }
    }
}
