package org.denyfs.bench.herd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A coldplug's device events derived from a module tree: what udev's "trigger --action=add" at boot
 * hands its workers, one MODALIAS per device. Drawn from depmod's modules.alias and modules.dep, so
 * it needs no such hardware: every device alias (a pattern on one of the buses in {@link #DEVICE_BUSES})
 * of a driver is a device it can drive, and a concrete MODALIAS that the pattern matches is made by
 * reading each '*' as nothing and each '?' as '0' (patterns with '[' are left out).
 *
 * <p>Which devices: the drivers whose dependencies another driver also needs come first, as that is
 * where probes meet (the seed commit's revert: a probe whose dependency another probe was loading
 * failed); then the others. Within each group the order is a shuffle by {@code seed}, one alias per
 * driver in a pass, further passes taking further aliases of the same drivers, until there are
 * {@code n} distinct events. The same tree, seed and count always give the same events.
 */
final class ColdplugEvents {
    /** Buses whose devices carry a MODALIAS in their uevent; other "x:" aliases (ip_set_hash:, symbol:) are no devices. */
    static final Set<String> DEVICE_BUSES = Set.of("acpi", "auxiliary", "ccw", "cpu", "cxl", "dax", "dmi", "hdaudio", "hid",
            "i2c", "input", "ishtp", "mdio", "mhi", "mmc", "nd", "of", "pci", "platform", "pnp", "rpmsg", "scsi", "sdio",
            "serio", "spi", "ssam", "tbsvc", "typec", "usb", "virtio", "vmbus", "wmi", "xen");
    private static final Pattern KO = Pattern.compile("\\.ko(\\.[a-z0-9]+)?$");

    /** One device: the MODALIAS of its uevent and the driver whose alias it was made from. */
    record Event(String modalias, String driver) {}

    private ColdplugEvents() {
    }

    /** {@code n} events from {@code moduleDir} (lib/modules/RELEASE), fewer if the tree has fewer device aliases. */
    static List<Event> derive(Path moduleDir, int n, long seed) throws IOException {
        Map<String, List<String>> deps = dependencies(Files.readAllLines(moduleDir.resolve("modules.dep")));
        Map<String, List<String>> aliases = deviceAliases(Files.readAllLines(moduleDir.resolve("modules.alias")));
        return choose(deps, aliases, n, seed);
    }

    static List<Event> choose(Map<String, List<String>> deps, Map<String, List<String>> aliases, int n, long seed) {
        Map<String, Integer> sharers = new HashMap<>();
        for (String driver : aliases.keySet()) {
            for (String d : deps.getOrDefault(driver, List.of())) {
                sharers.merge(d, 1, Integer::sum);
            }
        }
        List<String> sharing = new ArrayList<>();
        List<String> alone = new ArrayList<>();
        for (String driver : aliases.keySet()) { // a TreeMap: sorted, so the shuffle alone decides
            boolean shares = deps.getOrDefault(driver, List.of()).stream().anyMatch(d -> sharers.get(d) > 1);
            (shares ? sharing : alone).add(driver);
        }
        Random random = new Random(seed);
        Collections.shuffle(sharing, random);
        Collections.shuffle(alone, random);
        List<String> drivers = new ArrayList<>(sharing);
        drivers.addAll(alone);
        Map<String, List<String>> left = new HashMap<>();
        for (String driver : drivers) {
            List<String> own = new ArrayList<>(aliases.get(driver));
            Collections.shuffle(own, random);
            left.put(driver, own);
        }
        Set<String> seen = new LinkedHashSet<>();
        List<Event> events = new ArrayList<>();
        boolean progress = true;
        while (events.size() < n && progress) {
            progress = false;
            for (String driver : drivers) {
                List<String> own = left.get(driver);
                while (!own.isEmpty() && events.size() < n) {
                    String modalias = concrete(own.remove(own.size() - 1));
                    if (seen.add(modalias)) {
                        events.add(new Event(modalias, driver));
                        progress = true;
                        break;
                    }
                }
            }
        }
        return List.copyOf(events);
    }

    /** modules.dep: "kernel/x/a.ko: kernel/y/b.ko ..." to module name -> its dependencies' names. */
    static Map<String, List<String>> dependencies(List<String> lines) {
        Map<String, List<String>> deps = new TreeMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (String d : line.substring(colon + 1).trim().split("\\s+")) {
                if (!d.isEmpty()) {
                    names.add(moduleName(d));
                }
            }
            deps.put(moduleName(line.substring(0, colon)), names);
        }
        return deps;
    }

    /** modules.alias: "alias PATTERN MODULE" to module -> its device alias patterns, in the file's order. */
    static Map<String, List<String>> deviceAliases(List<String> lines) {
        Map<String, List<String>> aliases = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3 || !f[0].equals("alias")) {
                continue;
            }
            int colon = f[1].indexOf(':');
            if (colon <= 0 || !DEVICE_BUSES.contains(f[1].substring(0, colon)) || f[1].contains("[") || f[1].contains("\\")) {
                continue;
            }
            aliases.computeIfAbsent(f[2].replace('-', '_'), k -> new ArrayList<>()).add(f[1]);
        }
        return aliases;
    }

    /** A MODALIAS the fnmatch pattern matches: '*' as nothing, '?' as '0'. */
    static String concrete(String pattern) {
        return pattern.replace("*", "").replace('?', '0');
    }

    static String moduleName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        return KO.matcher(file).replaceFirst("").replace('-', '_');
    }
}
