package org.denyfs.user.kmod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.denyfs.image.ModuleImage;
import org.denyfs.image.ModuleSignature;

/**
 * kmod's tools/modinfo.c: the .modinfo fields of a module file, name or alias, then its signature
 * fields, then the parameters; built-in modules from modules.builtin.modinfo. Reads files only,
 * so it needs no mount. The .ko parser, signature included, is the shared leaf {@code image}'s
 * ModuleImage, which the emulated kernel reads modules with too.
 */
public final class Modinfo {
    /** What to print: field null for everything; separator '\n' or '\0' (-0). */
    public record Options(String field, char separator, boolean modname) {}

    private final Loader loader;
    private final Options o;
    private final Log log;

    public Modinfo(Loader loader, Options o) {
        this.loader = loader;
        this.o = o;
        this.log = loader.log();
    }

    /** @return the exit status: 0, or 1 if any argument failed */
    public int run(List<String> args) {
        if (args.isEmpty()) {
            log.log(Log.ERR, "missing module or filename.\n");
            return 1;
        }
        int err = 0;
        for (String a : args) {
            int r;
            try {
                r = o.modname() ? nameDo(a) : isModuleFilename(a) ? pathDo(Path.of(a)) : aliasDo(a);
            } catch (IOException e) {
                log.log(Log.ERR, a + ": " + e.getMessage() + "\n");
                r = -Messages.EIO;
            }
            if (r < 0) {
                err = r;
            }
        }
        return err >= 0 ? 0 : 1;
    }

    static boolean isModuleFilename(String name) {
        Path p = Path.of(name);
        return Files.isRegularFile(p) && (name.endsWith(".ko") || name.endsWith(".ko.gz") || name.endsWith(".ko.xz")
                || name.endsWith(".ko.zst"));
    }

    private int pathDo(Path p) throws IOException {
        return modinfoDo(ModuleIndex.moduleName(p.toString()), p, false);
    }

    private int nameDo(String name) throws IOException {
        var m = loader.lookupName(name);
        if (m.isEmpty()) {
            log.log(Log.ERR, "Module name " + name + " not found.\n");
            return -Messages.ENOENT;
        }
        Path p = loader.path(m.get().name());
        return modinfoDo(m.get().name(), p, p == null);
    }

    private int aliasDo(String alias) throws IOException {
        List<Loader.Mod> list = loader.lookup(alias);
        if (list == null) {
            log.log(Log.ERR, "Module alias " + alias + " not found.\n");
            return -Messages.EINVAL;
        }
        if (list.isEmpty()) {
            log.log(Log.ERR, "Module " + alias + " not found.\n");
            return -Messages.ENOENT;
        }
        int err = 0;
        for (Loader.Mod m : list) {
            Path p = loader.path(m.name());
            int r = modinfoDo(m.name(), p, p == null);
            if (r < 0) {
                err = r;
            }
        }
        return err;
    }

    private void print(String s) {
        log.out(s + o.separator());
    }

    private int modinfoDo(String name, Path path, boolean builtin) throws IOException {
        String field = o.field();
        String filename = builtin ? "(builtin)" : path.toString();
        if (builtin) {
            if (field == null) {
                print(String.format("%-16s%s", "name:", name));
            } else if (field.equals("name")) {
                print(name);
            }
        }
        if (field != null && field.equals("filename")) {
            print(filename);
            return 0;
        } else if (field == null) {
            print(String.format("%-16s%s", "filename:", filename));
        }
        List<Map.Entry<String, String>> info;
        try {
            info = builtin ? builtinInfo(name) : info(path);
        } catch (IOException | RuntimeException e) {
            if (builtin) {
                return 0;
            }
            int errno = e instanceof java.nio.file.NoSuchFileException ? Messages.ENOENT : Messages.ENOEXEC;
            log.log(Log.ERR, "could not get modinfo from '" + name + "': " + Messages.strerror(errno) + "\n");
            return -errno;
        }
        Map<String, String[]> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : info) {
            String key = e.getKey();
            String value = e.getValue();
            if (field != null) {
                if (field.equals("parm") && (key.equals("parm") || key.equals("parmtype"))) {
                    parm(key, value, params);
                } else if (field.equals(key)) {
                    print(value);
                }
                continue;
            }
            if (key.equals("parm") || key.equals("parmtype")) {
                parm(key, value, params);
            } else if (o.separator() == '\0') {
                print(key + "=" + value);
            } else {
                print(key + ":" + " ".repeat(Math.abs(15 - key.length())) + value);
            }
        }
        if (field != null && !field.equals("parm")) {
            return 0;
        }
        List<String> names = new ArrayList<>(params.keySet());
        for (int i = names.size() - 1; i >= 0; i--) { // add_param() prepends: newest first
            String[] p = params.get(names.get(i));
            String prefix = field == null ? String.format("%-16s", "parm:") : "";
            if (p[0] == null) {
                print(prefix + names.get(i) + (field == null ? ":" : ": (") + p[1] + (field == null ? "" : ")"));
            } else if (p[1] != null) {
                print(prefix + names.get(i) + ":" + p[0] + " (" + p[1] + ")");
            } else {
                print(prefix + names.get(i) + ":" + p[0]);
            }
        }
        return 0;
    }

    /** process_parm: "name:description" (parm) or "name:type" (parmtype), merged by name. */
    private void parm(String key, String value, Map<String, String[]> params) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            log.log(Log.ERR, "Found invalid \"" + key + "=" + value + "\": missing ':'\n");
            return;
        }
        String[] p = params.computeIfAbsent(value.substring(0, colon), k -> new String[2]);
        p[key.equals("parm") ? 0 : 1] = value.substring(colon + 1);
    }

    /** kmod_module_get_info of a file: .modinfo in order, then sig_id, signer, sig_key, sig_hashalgo, signature. */
    static List<Map.Entry<String, String>> info(Path path) throws IOException {
        ModuleImage image = ModuleImage.read(path);
        List<Map.Entry<String, String>> out = new ArrayList<>(image.modinfo());
        if (image.signature().isPresent()) {
            ModuleSignature s = image.signature().get();
            add(out, "sig_id", s.idType());
            add(out, "signer", s.signer() == null ? "" : s.signer());
            add(out, "sig_key", wrapHex(s.sigKey()));
            add(out, "sig_hashalgo", s.hashAlgo());
            add(out, "signature", wrapHex(s.signature()));
        }
        return out;
    }

    private static void add(List<Map.Entry<String, String>> out, String key, String value) {
        if (value != null) {
            out.add(Map.entry(key, value));
        }
    }

    private List<Map.Entry<String, String>> builtinInfo(String name) throws IOException {
        if (!Files.isRegularFile(loader.moduleDir().resolve("modules.builtin.modinfo"))) {
            throw new java.nio.file.NoSuchFileException("modules.builtin.modinfo");
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String s : new ModuleIndex(loader.moduleDir()).builtinModinfo(name)) {
            int eq = s.indexOf('=');
            out.add(eq < 0 ? Map.entry(s, "") : Map.entry(s.substring(0, eq), s.substring(eq + 1)));
        }
        return out;
    }

    /** kmod_module_hex_to_str: "AA:BB:..." with a line break and two tabs after every 20 bytes. */
    static String wrapHex(String colonHex) {
        if (colonHex == null || colonHex.isEmpty()) {
            return colonHex;
        }
        String[] bytes = colonHex.split(":");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            sb.append(bytes[i]);
            if (i < bytes.length - 1) {
                sb.append(':');
                if ((i + 1) % 20 == 0) {
                    sb.append("\n\t\t");
                }
            }
        }
        return sb.toString();
    }
}
