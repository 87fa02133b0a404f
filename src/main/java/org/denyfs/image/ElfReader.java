package org.denyfs.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;

/**
 * A small ELF64 little-endian reader for x86-64 relocatable objects, with the checks of the
 * kernel's elf_validity_check() (kernel/module/main.c, v6.4) done before anything is trusted. Every
 * failure is {@code ErrnoException(ENOEXEC)}; every offset is bounds-checked, so a truncated or
 * hostile image cannot raise anything else.
 *
 * <p>Why not jelf (net.fornwall:jelf, on the class path): it wants a heap {@code byte[]} (or a
 * MappedByteBuffer), reads e_shnum and st_shndx as signed shorts, and reports malformed input lazily
 * with several unchecked exception types. This reader works on the off-heap module copy in place
 * and copies out only names and small tables.
 */
final class ElfReader {
    static final int SHT_NULL = 0;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_NOBITS = 8;
    static final long SHF_WRITE = 0x1;
    static final long SHF_ALLOC = 0x2;
    static final long SHF_EXECINSTR = 0x4;
    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;
    static final int SHN_ABS = 0xfff1;
    static final int SHN_COMMON = 0xfff2;
    static final int STB_WEAK = 2;

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int ET_REL = 1;
    private static final int EM_X86_64 = 62;

    record Section(int index, String name, int type, long flags, long offset, long size, int link, long align) {
        boolean alloc() {
            return (flags & SHF_ALLOC) != 0;
        }
    }

    record Symbol(String name, int bind, int type, int shndx, long value) {
        boolean undefined() {
            return shndx == SHN_UNDEF;
        }
    }

    private final ByteBuffer image;
    private final long len;
    private final List<Section> sections;
    private final List<Symbol> symbols;

    private ElfReader(ByteBuffer image, List<Section> sections, List<Symbol> symbols) {
        this.image = image;
        this.len = image.limit();
        this.sections = sections;
        this.symbols = symbols;
    }

    /** Validates {@code image[0, limit)} and reads its section and symbol tables. */
    static ElfReader read(ByteBuffer source) {
        ByteBuffer image = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        image.position(0);
        long len = image.limit();
        if (len < EHDR_SIZE) {
            throw noexec("Invalid ELF header len " + len);
        }
        if (image.getInt(0) != 0x464c457f) {
            throw noexec("Invalid ELF header magic");
        }
        if (image.get(4) != 2 || image.get(5) != 1) {
            throw noexec("Invalid architecture in ELF header: not ELF64 little-endian");
        }
        int type = u16(image, 16);
        if (type != ET_REL) {
            throw noexec("Invalid ELF header type: " + type + " != " + ET_REL);
        }
        int machine = u16(image, 18);
        if (machine != EM_X86_64) {
            throw noexec("Invalid architecture in ELF header: " + machine);
        }
        long shoff = image.getLong(40);
        int shentsize = u16(image, 58);
        int shnum = u16(image, 60);
        int shstrndx = u16(image, 62);
        if (shentsize != SHDR_SIZE) {
            throw noexec("Invalid ELF section header size");
        }
        if (shoff < 0 || shoff >= len || (long) shnum * SHDR_SIZE > len - shoff) {
            throw noexec("Invalid ELF section header overflow");
        }
        if (shstrndx == SHN_UNDEF || shstrndx >= shnum) {
            throw noexec("Invalid ELF section name index: " + shstrndx + " (e_shnum " + shnum + ")");
        }
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * SHDR_SIZE);
            raw[i] = new long[] {
                Integer.toUnsignedLong(image.getInt(at)), // sh_name
                Integer.toUnsignedLong(image.getInt(at + 4)), // sh_type
                image.getLong(at + 8), // sh_flags
                image.getLong(at + 16), // sh_addr
                image.getLong(at + 24), // sh_offset
                image.getLong(at + 32), // sh_size
                Integer.toUnsignedLong(image.getInt(at + 40)), // sh_link
                image.getLong(at + 48), // sh_addralign
            };
        }
        if (raw[0][1] != SHT_NULL || raw[0][5] != 0 || raw[0][3] != 0) {
            throw noexec("ELF Spec violation: section 0 type!=SH_NULL or non-zero len or addr");
        }
        long[] strhdr = raw[shstrndx];
        checkInside(strhdr, len, shstrndx);
        if (strhdr[5] == 0) {
            throw noexec("empty section name table");
        }
        if (image.get((int) (strhdr[4] + strhdr[5] - 1)) != 0) {
            throw noexec("ELF Spec violation: section name table isn't null terminated");
        }
        List<Section> sections = new ArrayList<>(shnum);
        int symtab = -1;
        for (int i = 0; i < shnum; i++) {
            long[] s = raw[i];
            int stype = (int) s[1];
            if (i > 0 && stype != SHT_NULL && stype != SHT_NOBITS) {
                checkInside(s, len, i);
            }
            if (stype == SHT_SYMTAB) {
                if (s[6] == SHN_UNDEF || s[6] >= shnum) {
                    throw noexec("Invalid ELF sh_link " + s[6] + " of the symbol table");
                }
                if (symtab >= 0) {
                    throw noexec("module has more than one symbol table");
                }
                symtab = i;
            }
            if (s[0] >= strhdr[5]) {
                throw noexec("Invalid ELF section name in module (section " + i + ")");
            }
            String name = cString(image, strhdr[4] + s[0], strhdr[4] + strhdr[5]);
            sections.add(new Section(i, name, stype, s[2], s[4], s[5], (int) s[6], s[7]));
        }
        if (symtab < 0) {
            throw noexec("module has no symbols (stripped?)");
        }
        List<Symbol> symbols = readSymbols(image, sections, sections.get(symtab));
        return new ElfReader(image, List.copyOf(sections), List.copyOf(symbols));
    }

    private static List<Symbol> readSymbols(ByteBuffer image, List<Section> sections, Section symtab) {
        Section strtab = sections.get(symtab.link());
        if (strtab.type() == SHT_NOBITS || strtab.type() == SHT_NULL) {
            throw noexec("symbol string table has no data");
        }
        long count = symtab.size() / SYM_SIZE;
        List<Symbol> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            int at = (int) (symtab.offset() + i * SYM_SIZE);
            long nameOff = Integer.toUnsignedLong(image.getInt(at));
            int info = image.get(at + 4) & 0xff;
            int shndx = u16(image, at + 6);
            long value = image.getLong(at + 8);
            if (nameOff >= strtab.size() && !(nameOff == 0 && strtab.size() == 0)) {
                throw noexec("symbol " + i + " has its name outside the string table");
            }
            String name = strtab.size() == 0 ? "" : cString(image, strtab.offset() + nameOff, strtab.offset() + strtab.size());
            out.add(new Symbol(name, info >>> 4, info & 0xf, shndx, value));
        }
        return out;
    }

    List<Section> sections() {
        return sections;
    }

    List<Symbol> symbols() {
        return symbols;
    }

    /** The first section with this name, or null; the kernel's find_sec() also takes the first. */
    Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    Section section(int index) {
        return index >= 0 && index < sections.size() ? sections.get(index) : null;
    }

    /** A copy of a section's bytes; empty for SHT_NOBITS. Bounds were checked in {@link #read}. */
    byte[] bytes(Section s) {
        if (s.type() == SHT_NOBITS) {
            return new byte[0];
        }
        byte[] out = new byte[(int) s.size()];
        image.get((int) s.offset(), out);
        return out;
    }

    /** A NUL-terminated string starting {@code off} bytes into section {@code s}, or null if none fits. */
    String string(Section s, long off) {
        if (s.type() == SHT_NOBITS || off < 0 || off >= s.size()) {
            return null;
        }
        try {
            return cString(image, s.offset() + off, s.offset() + s.size());
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** A little-endian u32 at {@code off} in section {@code s}, or -1 if it does not fit. */
    long u32(Section s, long off) {
        if (s.type() == SHT_NOBITS || off < 0 || off + 4 > s.size()) {
            return -1;
        }
        return Integer.toUnsignedLong(image.getInt((int) (s.offset() + off)));
    }

    long length() {
        return len;
    }

    private static void checkInside(long[] s, long len, int index) {
        long off = s[4];
        long size = s[5];
        long end = off + size;
        if (off < 0 || size < 0 || end < off || end > len) {
            throw noexec("Invalid ELF section in module (section " + index + " type " + s[1] + ")");
        }
    }

    private static String cString(ByteBuffer image, long from, long limit) {
        for (long i = from; i < limit; i++) {
            if (image.get((int) i) == 0) {
                byte[] b = new byte[(int) (i - from)];
                image.get((int) from, b);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw noexec("unterminated string at offset " + from);
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    static ErrnoException noexec(String why) {
        return new ErrnoException(Errno.ENOEXEC, why);
    }
}
