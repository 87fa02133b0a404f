package org.denyfs.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * What the kernel reads from a module image before it lays the module out: its name (struct
 * module's {@code name} in {@code .gnu.linkonce.this_module}, cross-checked with .modinfo's
 * {@code name=}), all .modinfo fields in file order, the exported symbols ({@code __ksymtab_NAME}
 * symbols in a {@code __ksymtab*} section, as modpost and the kernel's EXPORT_SYMBOL lay them out in
 * 6.x), the undefined symbols, the {@code __versions} CRC table, and the appended signature.
 *
 * <p>Parsing never trusts the bytes: any malformed, truncated or foreign input is
 * {@code ErrnoException(ENOEXEC)} and nothing else. The result holds no reference to the buffer it
 * was parsed from, so the caller may free that buffer at once.
 *
 * <p><b>In-memory sizes are an approximation.</b> The kernel's layout_sections() puts every
 * SHF_ALLOC section into one of text (SHF_EXECINSTR), rodata, ro_after_init and data, and sections
 * named {@code .init*} into their init twins, each page-aligned. We do the same with 4096-byte
 * pages, leaving out .modinfo, __versions and .data..percpu as the kernel does, but not adding the
 * kallsyms symbol table copy or per-arch extras, so a real /proc/modules may show a page more.
 */
public final class ModuleImage {
    /** Where struct module keeps {@code name}: after {@code enum module_state} and a list_head (x86-64). */
    static final int THIS_MODULE_NAME_OFFSET = 24;
    /** MODULE_NAME_LEN = 64 - sizeof(unsigned long). */
    static final int MODULE_NAME_LEN = 56;
    static final long PAGE_SIZE = 4096;
    /** sizeof(struct modversion_info) on 64-bit: unsigned long crc + char name[56]. */
    private static final int MODVERSION_INFO_SIZE = 64;

    /**
     * An exported symbol.
     *
     * @param namespace the symbol namespace, "" if none
     * @param crc       the modversions CRC, or -1 if the image carries none
     */
    public record Export(String name, boolean gpl, String namespace, long crc) {}

    /** An undefined (SHN_UNDEF) symbol; a weak one may stay unresolved. */
    public record Undefined(String name, boolean weak) {}

    /** One {@code __versions} entry: the CRC this module was built against. */
    public record Version(String name, long crc) {}

    private final String name;
    private final List<Map.Entry<String, String>> modinfo;
    private final List<Export> exports;
    private final List<Undefined> undefined;
    private final List<Version> versions;
    private final ModuleSignature signature;
    private final long fileSize;
    private final long sizeWithoutSignature;
    private final Layout layout;
    private final boolean hasInit;
    private final boolean hasExit;

    private ModuleImage(Builder b) {
        this.name = b.name;
        this.modinfo = Collections.unmodifiableList(b.modinfo);
        this.exports = List.copyOf(b.exports);
        this.undefined = List.copyOf(b.undefined);
        this.versions = List.copyOf(b.versions);
        this.signature = b.signature;
        this.fileSize = b.fileSize;
        this.sizeWithoutSignature = b.sizeWithoutSignature;
        this.layout = b.layout;
        this.hasInit = b.hasInit;
        this.hasExit = b.hasExit;
    }

    /** Parses {@code image[0, limit)}, an uncompressed module with or without a signature. */
    public static ModuleImage parse(ByteBuffer image) {
        ByteBuffer whole = image.duplicate();
        whole.position(0);
        Builder b = new Builder();
        b.fileSize = whole.limit();
        int len = ModuleSignature.strippedLength(whole); // an impossible signature struct is no signature, as for kmod
        b.sizeWithoutSignature = len;
        if (len != whole.limit()) {
            b.signature = ModuleSignature.read(whole);
        }
        try {
            b.read(ElfReader.read(whole.limit(len)));
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            // Every offset is checked first; this net only makes sure a reader bug still reads as
            // "Invalid module format" instead of taking the loader down.
            throw new ErrnoException(Errno.ENOEXEC, "malformed module: " + e, e);
        }
        return new ModuleImage(b);
    }

    public static ModuleImage parse(byte[] image) {
        return parse(ByteBuffer.wrap(image));
    }

    /**
     * Reads a module file, decompressing a .ko.xz, .ko.zst or .ko.gz by its magic bytes (as kmod
     * does in user space). A corrupt compressed file is {@code ErrnoException(EINVAL)}.
     */
    public static ModuleImage read(Path ko) throws IOException {
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(ko));
        Compression c = Compression.detect(raw);
        if (c == null) {
            return parse(raw);
        }
        return parse(c.decompressToHeap(raw));
    }

    /** The name the kernel keys every duplicate check on. */
    public String name() {
        return name;
    }

    /** Every .modinfo {@code key=value} string in file order; repeated keys repeat. */
    public List<Map.Entry<String, String>> modinfo() {
        return modinfo;
    }

    /** All values of one .modinfo key, in file order (e.g. every {@code alias}). */
    public List<String> modinfo(String key) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : modinfo) {
            if (e.getKey().equals(key)) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** The last value of a key, as the kernel's get_modinfo() finds it, or null. */
    public String modinfoValue(String key) {
        String v = null;
        for (Map.Entry<String, String> e : modinfo) {
            if (e.getKey().equals(key)) {
                v = e.getValue();
            }
        }
        return v;
    }

    /** .modinfo {@code depends=}, split at commas; empty for "depends=" or none. */
    public List<String> depends() {
        String d = modinfoValue("depends");
        if (d == null || d.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : d.split(",")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    public String vermagic() {
        return modinfoValue("vermagic");
    }

    public String license() {
        return modinfoValue("license");
    }

    /** {@code intree=Y}: built with the kernel, so no out-of-tree taint. */
    public boolean intree() {
        return "Y".equals(modinfoValue("intree"));
    }

    public List<Export> exports() {
        return exports;
    }

    public List<Undefined> undefined() {
        return undefined;
    }

    /** The names of the undefined symbols, in symbol-table order. */
    public List<String> undefinedSymbols() {
        List<String> out = new ArrayList<>(undefined.size());
        for (Undefined u : undefined) {
            out.add(u.name());
        }
        return out;
    }

    public List<Version> versions() {
        return versions;
    }

    public Optional<ModuleSignature> signature() {
        return Optional.ofNullable(signature);
    }

    /** The size of the image as given, signature included. */
    public long fileSize() {
        return fileSize;
    }

    /** The kernel's {@code info->len} after module_sig_check(): what the statistics count. */
    public long sizeWithoutSignature() {
        return sizeWithoutSignature;
    }

    /** Page-aligned in-memory size of the parts that stay after init (text, rodata, ro_after_init, data). */
    public long coreSize() {
        return layout.core();
    }

    /** Page-aligned in-memory size of the .init parts, freed when init succeeds. */
    public long initSize() {
        return layout.init();
    }

    /** "Total module size" contribution: every part, init included. */
    public long totalSize() {
        return layout.core() + layout.init();
    }

    /** "Total mod text size" contribution: text plus init text, page-aligned each. */
    public long textSize() {
        return layout.text();
    }

    /** The module has an init function ({@code init_module} is defined). */
    public boolean hasInit() {
        return hasInit;
    }

    /** The module has an exit function ({@code cleanup_module} is defined). */
    public boolean hasExit() {
        return hasExit;
    }

    @Override
    public String toString() {
        return name + "(" + sizeWithoutSignature + " bytes, " + exports.size() + " exports, " + undefined.size() + " undefined)";
    }

    /** Page-aligned in-memory sizes, computed once per image. */
    record Layout(long core, long init, long text) {
        static Layout of(ElfReader elf) {
            // text, rodata, ro_after_init, data; then the same four for .init sections
            long[] sizes = new long[8];
            for (ElfReader.Section s : elf.sections()) {
                if (!s.alloc() || notLoaded(s.name())) {
                    continue;
                }
                int type;
                if ((s.flags() & ElfReader.SHF_EXECINSTR) != 0) {
                    type = 0;
                } else if (s.name().equals(".data..ro_after_init") || s.name().equals("__jump_table")) {
                    type = 2;
                } else if ((s.flags() & ElfReader.SHF_WRITE) == 0) {
                    type = 1;
                } else {
                    type = 3;
                }
                if (s.name().startsWith(".init")) {
                    type += 4;
                }
                long align = Math.max(1, s.align());
                long at = (sizes[type] + align - 1) / align * align;
                sizes[type] = at + s.size();
            }
            long core = 0;
            long init = 0;
            for (int t = 0; t < 8; t++) {
                long pages = pageAlign(sizes[t]);
                if (t < 4) {
                    core += pages;
                } else {
                    init += pages;
                }
            }
            return new Layout(core, init, pageAlign(sizes[0]) + pageAlign(sizes[4]));
        }

        private static boolean notLoaded(String name) {
            return name.equals(".modinfo") || name.equals("__versions") || name.equals(".data..percpu");
        }

        private static long pageAlign(long size) {
            return (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        }
    }

    /** Collects the fields while reading; one per parse. */
    private static final class Builder {
        String name;
        final List<Map.Entry<String, String>> modinfo = new ArrayList<>();
        final List<Export> exports = new ArrayList<>();
        final List<Undefined> undefined = new ArrayList<>();
        final List<Version> versions = new ArrayList<>();
        ModuleSignature signature;
        long fileSize;
        long sizeWithoutSignature;
        Layout layout;
        boolean hasInit;
        boolean hasExit;

        void read(ElfReader elf) {
            ElfReader.Section info = elf.section(".modinfo");
            if (info != null) {
                readModinfo(elf.bytes(info));
            }
            name = thisModuleName(elf);
            String infoName = lastValue("name");
            if (infoName != null && !infoName.equals(name)) {
                throw ElfReader.noexec("module name '" + name + "' in .gnu.linkonce.this_module but '"
                        + infoName + "' in .modinfo");
            }
            readSymbols(elf);
            ElfReader.Section vers = elf.section("__versions");
            if (vers != null) {
                readVersions(elf.bytes(vers));
            }
            layout = Layout.of(elf);
        }

        private void readModinfo(byte[] data) {
            int start = 0;
            for (int i = 0; i <= data.length; i++) {
                if (i == data.length || data[i] == 0) {
                    if (i > start) {
                        String s = new String(data, start, i - start, StandardCharsets.UTF_8);
                        int eq = s.indexOf('=');
                        modinfo.add(eq < 0 ? Map.entry(s, "") : Map.entry(s.substring(0, eq), s.substring(eq + 1)));
                    }
                    start = i + 1;
                }
            }
        }

        private String lastValue(String key) {
            String v = null;
            for (Map.Entry<String, String> e : modinfo) {
                if (e.getKey().equals(key)) {
                    v = e.getValue();
                }
            }
            return v;
        }

        /** The kernel insists on exactly this section; without it there is no struct module. */
        private static String thisModuleName(ElfReader elf) {
            ElfReader.Section mod = null;
            for (ElfReader.Section s : elf.sections()) {
                if (s.name().equals(".gnu.linkonce.this_module")) {
                    if (mod != null) {
                        throw ElfReader.noexec("Exactly one .gnu.linkonce.this_module section must exist");
                    }
                    mod = s;
                }
            }
            if (mod == null) {
                throw ElfReader.noexec("Exactly one .gnu.linkonce.this_module section must exist");
            }
            if (mod.type() == ElfReader.SHT_NOBITS) {
                throw ElfReader.noexec(".gnu.linkonce.this_module section must have a size set");
            }
            if (!mod.alloc()) {
                throw ElfReader.noexec(".gnu.linkonce.this_module must occupy memory during process execution");
            }
            if (mod.size() < THIS_MODULE_NAME_OFFSET + MODULE_NAME_LEN) {
                throw ElfReader.noexec(".gnu.linkonce.this_module is too small for a struct module ("
                        + mod.size() + " bytes)");
            }
            byte[] raw = elf.bytes(mod);
            int end = THIS_MODULE_NAME_OFFSET;
            while (end < THIS_MODULE_NAME_OFFSET + MODULE_NAME_LEN && raw[end] != 0) {
                end++;
            }
            if (end == THIS_MODULE_NAME_OFFSET + MODULE_NAME_LEN) {
                throw ElfReader.noexec("module name in .gnu.linkonce.this_module is not NUL-terminated");
            }
            if (end == THIS_MODULE_NAME_OFFSET) {
                throw ElfReader.noexec("module name in .gnu.linkonce.this_module is empty");
            }
            return new String(raw, THIS_MODULE_NAME_OFFSET, end - THIS_MODULE_NAME_OFFSET, StandardCharsets.UTF_8);
        }

        private void readSymbols(ElfReader elf) {
            Map<String, Long> crcs = new HashMap<>();
            Map<String, String> namespaces = new HashMap<>();
            Map<String, Boolean> ksymtab = new LinkedHashMap<>();
            List<ElfReader.Symbol> symbols = elf.symbols();
            for (int i = 1; i < symbols.size(); i++) {
                ElfReader.Symbol sym = symbols.get(i);
                String n = sym.name();
                if (sym.shndx() == ElfReader.SHN_COMMON) {
                    throw ElfReader.noexec("Common symbol: " + n + " (please compile with -fno-common)");
                }
                if (sym.undefined()) {
                    if (!n.isEmpty()) {
                        undefined.add(new Undefined(n, sym.bind() == ElfReader.STB_WEAK));
                    }
                    continue;
                }
                if (n.equals("init_module")) {
                    hasInit = true;
                } else if (n.equals("cleanup_module")) {
                    hasExit = true;
                }
                ElfReader.Section sec = sym.shndx() < ElfReader.SHN_LORESERVE ? elf.section(sym.shndx()) : null;
                if (n.startsWith("__ksymtab_") && sec != null && isKsymtab(sec.name())) {
                    ksymtab.put(n.substring("__ksymtab_".length()), sec.name().contains("_gpl"));
                } else if (n.startsWith("__crc_")) {
                    long crc = sym.shndx() == ElfReader.SHN_ABS ? sym.value() & 0xffffffffL
                            : sec == null ? -1 : elf.u32(sec, sym.value());
                    if (crc >= 0) {
                        crcs.put(n.substring("__crc_".length()), crc);
                    }
                } else if (n.startsWith("__kstrtabns_") && sec != null) {
                    String ns = elf.string(sec, sym.value());
                    if (ns != null) {
                        namespaces.put(n.substring("__kstrtabns_".length()), ns);
                    }
                }
            }
            ksymtab.forEach((sym, gpl) -> exports.add(
                    new Export(sym, gpl, namespaces.getOrDefault(sym, ""), crcs.getOrDefault(sym, -1L))));
        }

        /** __ksymtab, __ksymtab_gpl in a linked .ko; ___ksymtab+NAME, ___ksymtab_gpl+NAME in an object. */
        private static boolean isKsymtab(String section) {
            return section.startsWith("__ksymtab") && !section.startsWith("__ksymtab_strings")
                    || section.startsWith("___ksymtab");
        }

        private void readVersions(byte[] data) {
            ByteBuffer b = ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at + MODVERSION_INFO_SIZE <= data.length; at += MODVERSION_INFO_SIZE) {
                long crc = b.getLong(at);
                int end = at + 8;
                while (end < at + MODVERSION_INFO_SIZE && data[end] != 0) {
                    end++;
                }
                if (end > at + 8) {
                    versions.add(new Version(new String(data, at + 8, end - at - 8, StandardCharsets.UTF_8), crc));
                }
            }
        }
    }
}
