package org.denyfs.kernel.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.denyfs.abi.Abi;
import org.denyfs.kernel.natives.Libc;
import org.denyfs.kernel.passthrough.Handles;
import org.junit.jupiter.api.Test;

/** The control tree's names are the ABI's: what clients open is what the daemon serves. */
class VirtualTreeTest {
    @Test
    void controlFile_isDenyfsAbisControlPath() {
        assertThat(VirtualTree.CONTROL).isEqualTo("/" + Abi.CONTROL_PATH);
        assertThat(Abi.PROC_MODULES).startsWith(VirtualTree.DIR_NAME + "/");
        assertThat(Abi.SYS_MODULE).startsWith(VirtualTree.DIR_NAME + "/");
    }

    @Test
    void isVirtual_theTreeAndBelow_only() {
        for (String path : new String[] {"/.denyfs", "/.denyfs/control", "/.denyfs/sys/module"}) {
            assertThat(VirtualTree.isVirtual(path)).as(path).isTrue();
            assertThat(ControlTree.isVirtual(cString(path).address())).as(path + " in place").isTrue();
        }
        for (String path : new String[] {"/.denyfsx", "/.deny", "/a/.denyfs", "/"}) {
            assertThat(VirtualTree.isVirtual(path)).as(path).isFalse();
            assertThat(ControlTree.isVirtual(cString(path).address())).as(path + " in place").isFalse();
        }
    }

    @Test
    void owns_theTreesHandlesOnly() {
        Handles tree = new Handles(ControlTree.HANDLE_TAG);
        Handles files = new Handles();
        for (int i = 0; i < 100; i++) {
            assertThat(ControlTree.owns(tree.add(null))).isTrue();
            assertThat(ControlTree.owns(files.add(null))).isFalse();
        }
    }

    private static Pointer cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Pointer p = Memory.allocateDirect(Libc.RUNTIME, bytes.length + 1, true);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }
}
