package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.denyfs.core.Errno;
import org.denyfs.image.ModuleImage;
import org.denyfs.kernel.module.Modules;
import org.denyfs.testing.Fixtures;
import org.denyfs.testing.ModuleTree;
import org.denyfs.testing.SignedImages;
import org.denyfs.user.client.Client;
import org.junit.jupiter.api.Test;

/**
 * Malformed module images through a real mount: byte flips (most in the appended signature, the
 * rest in the ELF headers and anywhere) and truncations of signed Debian modules and of the test
 * fixtures (signed with the test key, built with the tree's vermagic so that they load), each
 * sent with {@code finit} (written into BACKING) and with {@code init} (streamed on the control
 * file). Every reply must be {@code ok} or {@code err} with a known errno other than EIO, and the
 * daemon must log no unexpected exception. A fixed seed: the same cases every run.
 * {@value #DEFAULT_CASES} cases in CI; {@code -Ddenyfs.fuzz.cases=N} for more.
 */
class ModuleFuzzIT {
    static final int DEFAULT_CASES = 1500;
    private static final int CASES = Integer.getInteger("denyfs.fuzz.cases", DEFAULT_CASES);
    /** Small standalone Debian modules: each case stays cheap. */
    private static final List<String> DEBIAN = List.of("crc32c-intel", "crc32-pclmul", "crct10dif-pclmul", "cryptd",
            "sha1-ssse3", "sha256-ssse3", "ghash-clmulni-intel", "af_key", "vsock_loopback");

    /** Records every ERROR the daemon logs while the fuzz runs. */
    private static final class ErrorLog extends AbstractAppender implements AutoCloseable {
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());

        ErrorLog() {
            super("fuzz-errors", null, null, true, Property.EMPTY_ARRAY);
            start();
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            ctx.getConfiguration().getRootLogger().addAppender(this, Level.ERROR, null);
            ctx.updateLoggers();
        }

        @Override
        public void append(LogEvent event) {
            errors.add(event.getMessage().getFormattedMessage()
                    + (event.getThrown() == null ? "" : ": " + event.getThrown()));
        }

        @Override
        public void close() {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            ctx.getConfiguration().getRootLogger().removeAppender(getName());
            ctx.updateLoggers();
            stop();
        }
    }

    /** One corrupted image: what was done to which module. */
    private record Case(String what, byte[] image) {}

    private static List<Case> cases(Map<String, byte[]> images, Random random) {
        List<Case> out = new ArrayList<>();
        List<String> names = new ArrayList<>(images.keySet());
        for (int i = 0; out.size() < CASES; i++) {
            String name = names.get(i % names.size());
            byte[] img = images.get(name).clone();
            int sigTail = Math.min(img.length, 1200); // the PKCS#7 blob, struct and marker, and a little before
            int kind = random.nextInt(10);
            String what;
            if (kind < 5) { // a byte of the signature
                int at = img.length - 1 - random.nextInt(sigTail);
                img[at] = (byte) random.nextInt(256);
                what = "flip " + at + " (signature)";
            } else if (kind < 7) { // a byte of the ELF header or a section header
                int at = random.nextBoolean() ? random.nextInt(64) : img.length - sigTail - 1 - random.nextInt(Math.min(2048, img.length - sigTail));
                img[at] ^= (byte) (1 + random.nextInt(255));
                what = "flip " + at + " (ELF)";
            } else if (kind < 8) { // anywhere
                int at = random.nextInt(img.length);
                img[at] = (byte) random.nextInt(256);
                what = "flip " + at;
            } else { // truncated, mostly inside the signature
                int cut = kind == 8 ? img.length - 1 - random.nextInt(sigTail) : random.nextInt(img.length);
                img = java.util.Arrays.copyOf(img, cut);
                what = "cut at " + cut;
            }
            out.add(new Case(name + ": " + what, img));
        }
        return out;
    }

    /** init LEN, then the image, on one handle; the reply line. */
    private static String init(Path mnt, byte[] image) throws IOException {
        try (FileChannel ch = FileChannel.open(mnt.resolve(".denyfs/control"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer out = ByteBuffer.wrap(("init " + image.length + "\n").getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            out = ByteBuffer.wrap(image);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(8192);
            StringBuilder reply = new StringBuilder();
            while (reply.indexOf("\n") < 0) {
                in.clear();
                int n = ch.read(in);
                if (n <= 0) {
                    break;
                }
                reply.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
            }
            return reply.toString().strip();
        }
    }

    @Test
    void finitAndInit_ofCorruptedImages_alwaysGetOkOrAKernelErrno_neverEio() throws Exception {
        ModuleTree tree = ModuleTree.require();
        Path dir = Files.createTempDirectory("denyfs-fuzz-");
        try (ErrorLog log = new ErrorLog()) {
            Path backing = dir.resolve("backing");
            Path modules = backing.resolve("lib/modules").resolve(tree.release());
            Files.createDirectories(modules);
            Map<String, byte[]> images = new TreeMap<>();
            for (String name : DEBIAN) {
                Path ko = tree.root().resolve(tree.ko(name));
                Files.copy(ko, modules.resolve(ko.getFileName()));
                images.put(ko.getFileName().toString(), Files.readAllBytes(ko));
            }
            String vermagic = ModuleImage.read(tree.root().resolve(tree.ko("cryptd"))).vermagic();
            String define = "FIXTURE_VERMAGIC=\"" + vermagic + "\"";
            images.put("fx_base (signed)", SignedImages.sign(Fixtures.build("fx_base", "fx_base", define)));
            images.put("fx_user", Fixtures.build("fx_user", "fx_user", define));
            Files.createDirectories(backing.resolve("fuzz"));
            List<Case> cases = cases(images, new Random(13));
            Map<String, Integer> results = new TreeMap<>();
            List<String> bad = new ArrayList<>();
            try (LiveMount m = LiveMount.over(backing, "init_ms=0"); Client c = Client.open(m.mnt)) {
                Modules kernel = m.mount.view().modules();
                for (int i = 0; i < cases.size(); i++) {
                    Case k = cases.get(i);
                    boolean viaFinit = i % 2 == 0;
                    String reply;
                    if (viaFinit) {
                        Files.write(backing.resolve("fuzz/case.ko"), k.image());
                        reply = c.request("finit fuzz/case.ko");
                    } else {
                        reply = init(m.mnt, k.image());
                    }
                    String errno = reply.equals("ok 0") ? "ok" : reply.startsWith("err ") ? reply.split(" ")[1] : reply;
                    results.merge((viaFinit ? "finit " : "init ") + errno, 1, Integer::sum);
                    Errno known = Errno.named(errno);
                    if (!errno.equals("ok") && (known == null || known == Errno.EIO)) {
                        bad.add(k.what() + " via " + (viaFinit ? "finit" : "init") + ": " + reply);
                    }
                    if (errno.equals("ok")) {
                        for (String name : kernel.moduleNames()) { // so the next case of it loads afresh
                            try {
                                kernel.deleteModule(name, Modules.O_NONBLOCK | Modules.O_TRUNC);
                            } catch (org.denyfs.core.ErrnoException permanent) {
                                // no exit function: it stays, and later cases of it end in EEXIST
                            }
                        }
                    }
                }
                System.out.printf("module fuzz: %d corrupted images of %d modules, results %s%n",
                        cases.size(), images.size(), results);
                assertThat(bad).as("replies that are not ok or a kernel errno").isEmpty();
                assertThat(log.errors).as("unexpected exceptions the daemon logged").isEmpty();
                assertThat(kernel.bytesInFlight()).isZero();
                assertThat(results.keySet()).anyMatch(r -> r.endsWith(" ok")).anyMatch(r -> r.endsWith("EBADMSG"))
                        .anyMatch(r -> r.endsWith("ENOEXEC"));
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
