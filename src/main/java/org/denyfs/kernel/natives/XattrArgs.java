package org.denyfs.kernel.natives;

/**
 * The kernel's {@code struct xattr_args} (linux/xattr.h, Linux 6.13): the argument of
 * setxattrat(2) and getxattrat(2). {@code value} is a user pointer, {@code size} its length.
 */
public final class XattrArgs {
    public static final int VALUE = 0;
    public static final int SIZE = 8;
    public static final int FLAGS = 12;
    public static final int BYTES = 16;

    private XattrArgs() {}
}
