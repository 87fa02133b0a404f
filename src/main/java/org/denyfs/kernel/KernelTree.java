package org.denyfs.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.denyfs.image.ModuleImage;
import org.denyfs.image.ModuleSignature;
import org.denyfs.kernel.module.VmlinuxSymbols;

/**
 * What the emulated kernel is, read off the backing directory: the release (the single
 * lib/modules/RELEASE, or kernel=), the vermagic its modules carry, and which symbols vmlinux
 * exports. depmod's modules.symbols lists every symbol a module of the tree exports; everything
 * else a module needs is taken to be vmlinux's, so a missing dependency is an unknown symbol
 * (ENOENT) exactly as on the real kernel. The key that signed the tree's modules is in the built-in
 * keyring, as a distribution kernel holds its own signing key: its modules load with sig_ok.
 */
record KernelTree(String release, String vermagic, VmlinuxSymbols vmlinux, java.util.Set<String> signingKeys) {
    private static final Logger LOG = LogManager.getLogger(KernelTree.class);

    static KernelTree discover(Path backing, String releaseOption) {
        String release = releaseOption != null ? releaseOption : singleRelease(backing).orElseGet(KernelTree::uname);
        Path dir = backing.resolve("lib/modules").resolve(release);
        Optional<ModuleImage> first = firstModule(dir).flatMap(KernelTree::imageOf);
        String vermagic = first.map(ModuleImage::vermagic)
                .orElse(release + " SMP preempt mod_unload modversions ");
        java.util.Set<String> keys = first.flatMap(ModuleImage::signature).map(ModuleSignature::sigKey)
                .map(java.util.Set::of).orElse(java.util.Set.of());
        VmlinuxSymbols vmlinux = VmlinuxSymbols.all();
        Path symbols = dir.resolve("modules.symbols");
        if (Files.isRegularFile(symbols)) {
            try (Stream<String> lines = Files.lines(symbols)) {
                // "alias symbol:crypto_simd_create cryptd"
                List<String> moduleExports = lines.filter(l -> l.startsWith("alias symbol:"))
                        .map(l -> l.substring("alias symbol:".length(), l.indexOf(' ', "alias symbol:".length())))
                        .toList();
                vmlinux = VmlinuxSymbols.allExcept(moduleExports);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot read {}: {}; every symbol counts as vmlinux's", symbols, e.toString());
            }
        }
        LOG.debug("emulated kernel {} (vermagic '{}', signing key {})", release, vermagic.trim(),
                keys.isEmpty() ? "none" : String.join(" ", keys));
        return new KernelTree(release, vermagic, vmlinux, keys);
    }

    private static Optional<String> singleRelease(Path backing) {
        List<String> releases = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(backing.resolve("lib/modules"), Files::isDirectory)) {
            dirs.forEach(d -> releases.add(d.getFileName().toString()));
        } catch (IOException none) {
            return Optional.empty();
        }
        return releases.size() == 1 ? Optional.of(releases.get(0)) : Optional.empty();
    }

    private static Optional<Path> firstModule(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            // a distribution's compressed modules too: ModuleImage.read decompresses them
            return all.filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?")).findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static Optional<ModuleImage> imageOf(Path ko) {
        try {
            ModuleImage image = ModuleImage.read(ko);
            return image.vermagic() == null ? Optional.empty() : Optional.of(image);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String uname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
