package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every operation a user expects passes through to the backing directory, and a failure comes back
 * with the backing file system's errno (the text the shell tools print), never a generic EIO.
 */
class PassthroughIT extends OnOneMount {

    private static Proc.Result sh(String script) {
        return Proc.sh(m.mnt, script);
    }

    private static void ok(String script) {
        Proc.Result r = sh(script);
        assertThat(r.err()).as(script).isEmpty();
        assertThat(r.status()).as(script).isZero();
    }

    @Test
    void createWriteReadAppend_reachTheBackingFile() throws IOException {
        ok("echo one > a && echo two >> a");
        assertThat(Files.readString(m.backing.resolve("a"))).isEqualTo("one\ntwo\n");
        assertThat(sh("cat a").out()).isEqualTo("one\ntwo\n");
    }

    @Test
    void mkdirRmdirReaddir() throws IOException {
        ok("mkdir -p d/e && touch d/e/f d/g");
        assertThat(sh("ls -a d").out()).isEqualTo(".\n..\ne\ng\n");
        assertThat(sh("rmdir d").err()).contains("Directory not empty");
        ok("rm d/e/f && rmdir d/e");
        assertThat(Files.exists(m.backing.resolve("d/e"))).isFalse();
    }

    @Test
    void symlinkReadlinkLinkRenameUnlink() throws IOException {
        ok("echo x > target && ln -s target sym && ln target hard && mv hard hard2");
        assertThat(sh("readlink sym").out()).isEqualTo("target\n");
        assertThat(Files.readSymbolicLink(m.backing.resolve("sym")).toString()).isEqualTo("target");
        assertThat(sh("stat -c %h target").out()).isEqualTo("2\n");
        assertThat(sh("stat -c %i target").out()).isEqualTo(sh("stat -c %i hard2").out());
        assertThat(sh("stat -c %i target").out().trim())
                .isEqualTo(Files.getAttribute(m.backing.resolve("target"), "unix:ino").toString());
        ok("rm hard2 sym");
        assertThat(sh("rm nothing-here").err()).contains("No such file or directory");
    }

    @Test
    void chmodChownUtimens() throws IOException {
        ok("touch perm && chmod 0640 perm && chown 1234:4321 perm && touch -d '2001-02-03 04:05:06.5 UTC' perm");
        assertThat(sh("stat -c '%a %u %g' perm").out()).isEqualTo("640 1234 4321\n");
        assertThat(Files.getAttribute(m.backing.resolve("perm"), "unix:mode")).isEqualTo(0100640);
        assertThat(Files.getLastModifiedTime(m.backing.resolve("perm")).toMillis()).isEqualTo(981173106500L);
    }

    @Test
    void truncateAndFallocate() throws IOException {
        ok("echo 123456789 > tr && truncate -s 3 tr && fallocate -l 65536 fa");
        assertThat(Files.size(m.backing.resolve("tr"))).isEqualTo(3);
        assertThat(Files.size(m.backing.resolve("fa"))).isEqualTo(65536);
    }

    @Test
    void extendedAttributes() {
        ok("touch xa && setfattr -n user.colour -v blue xa");
        assertThat(sh("getfattr --only-values -n user.colour xa").out()).isEqualTo("blue");
        assertThat(Proc.sh(m.backing, "getfattr --only-values -n user.colour xa").out()).isEqualTo("blue");
        ok("setfattr -x user.colour xa");
        assertThat(sh("getfattr -n user.colour xa").err()).contains("No such attribute");
    }

    @Test
    void statfs_reportsTheBackingFileSystem() {
        String mounted = sh("stat -f -c '%b %S' .").out();
        String backing = Proc.sh(m.backing, "stat -f -c '%b %S' .").out();
        assertThat(mounted).isEqualTo(backing);
    }

    @Test
    void fifoAndExclusiveCreate() {
        ok("mkfifo pipe && test -p pipe");
        assertThat(sh("set -C; echo x > pipe2; echo y > pipe2").err()).contains("cannot create pipe2");
    }

    @Test
    void controlTree_isHiddenFromListingsButReachable() throws IOException {
        assertThat(sh("ls -a").out()).doesNotContain(".denyfs");
        assertThat(sh("ls -l .denyfs/control").out()).startsWith("-rw-rw-rw- 1 root root 0 ");
        assertThat(sh("ls -la .denyfs").err()).isEmpty();
        Files.createDirectories(m.backing.resolve("sub"));
        assertThat(sh("ls -a sub").out()).isEqualTo(".\n..\n");
    }

    @Test
    void permissions_areCheckedForTheCallingUser() throws IOException {
        ok("echo secret > rootonly && chmod 0600 rootonly && mkdir -m 0777 shared");
        Proc.Result r = sh("setpriv --reuid=65534 --regid=65534 --clear-groups cat rootonly");
        assertThat(r.err()).contains("Permission denied");
        ok("setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo mine > shared/nobody'");
        assertThat(Files.getAttribute(m.backing.resolve("shared/nobody"), "unix:uid")).isEqualTo(65534);
    }

    // ---- issue 13's defects, each as the issue reproduced it -------------------------------

    @Test
    void openFile_afterUnlinkOrRenameOver_keepsWorkingThroughItsDescriptor() throws IOException {
        // exec 3<>t 4<t: one read-write and one read-only descriptor, then the name goes
        Proc.Result r = sh("exec 3<>t 4<t; printf Hello >&3; rm t; "
                + "test ! -e t && cat <&4; echo; printf ' world' >&3; cat /proc/self/fd/4; echo; "
                + "stat -L -c '%s %h' /proc/self/fd/3; truncate -s 3 /proc/self/fd/3; cat /proc/self/fd/4");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("Hello\nHello world\n11 0\nHel");
        // rename over it: the old descriptor still reads the old file, the name the new one
        r = sh("echo old > r && exec 3<r && echo new > r2 && mv r2 r && cat <&3 && cat r");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("old\nnew\n");
        assertThat(Files.list(m.backing).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".fuse_hidden"));
    }

    @Test
    void create_underTheCallersUmask_keepsTheCallersMode() {
        ok("umask 0 && touch u666 && mkdir u777 && mkfifo ufifo && (umask 077 && touch u600)");
        assertThat(sh("stat -c '%a' u666 u777 ufifo u600").out()).isEqualTo("666\n777\n666\n600\n");
        ok("umask 0 && sh -c 'exec 3>s4777; chmod 4777 s4777' && mkdir -m 2777 s2777");
        assertThat(sh("stat -c '%a' s4777 s2777").out()).isEqualTo("4777\n2777\n");
    }

    @Test
    void pathOfPathMaxMinusOneBytes_isCreatedAsNatively() throws IOException {
        String dirs = ("d".repeat(250) + "/").repeat(16);                 // 4016 bytes
        String path = dirs + "f".repeat(4095 - dirs.length());           // PATH_MAX - 1 = 4095 bytes
        ok("mkdir -p " + dirs + " && echo deep > " + path);
        assertThat(sh("cat " + path).out()).isEqualTo("deep\n");
        assertThat(Proc.sh(m.backing, "cat " + path).out()).isEqualTo("deep\n");  // relative: Java's absolute path would be too long
        ok("rm -r " + dirs.substring(0, 250));
    }

    @Test
    void oDirect_readsAndWrites() throws IOException {
        ok("dd if=/dev/urandom of=src bs=1M count=4 status=none && dd if=src of=direct bs=1M oflag=direct status=none"
                + " && dd if=direct of=back bs=1M iflag=direct status=none && cmp src back");
        assertThat(Files.size(m.backing.resolve("direct"))).isEqualTo(4 << 20);
        assertThat(sh("dd if=src of=direct bs=1000 count=1 seek=1 oflag=direct status=none").err()).contains("Invalid argument");
    }

    @Test
    void utimensat_withOneTimeOmitted_setsOnlyTheOther() {
        ok("touch -d @1000 t && touch -m -d @3000 t && touch -a -d @2000 t2 && touch -m -d @4000 t2 && touch -a -d @5000 t2");
        assertThat(sh("stat -c '%X %Y' t t2").out()).isEqualTo("1000 3000\n5000 4000\n");
    }
}
