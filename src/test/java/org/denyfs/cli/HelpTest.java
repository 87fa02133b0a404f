package org.denyfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's --help, --version and usage errors, as a user sees them on an 80-column terminal:
 * laid out by picocli, never by hand.
 */
class HelpTest {
    static Stream<String> commands() {
        List<String> names = new ArrayList<>();
        collect(Main.commandLine(), names);
        return names.stream();
    }

    private static void collect(CommandLine cl, List<String> names) {
        names.add(cl.getCommandSpec().qualifiedName());
        cl.getSubcommands().values().forEach(sub -> collect(sub, names));
    }

    private static CommandLine command(String qualifiedName) {
        CommandLine cl = Main.commandLine();
        for (String part : qualifiedName.split(" ")) {
            if (!part.equals("denyfs")) {
                cl = cl.getSubcommands().get(part);
            }
        }
        return cl;
    }

    private static String usage(String name, int width) {
        CommandLine cl = command(name);
        cl.setUsageHelpWidth(width);
        StringWriter out = new StringWriter();
        cl.usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out.toString();
    }

    private static List<String> words(String text) {
        return Arrays.asList(text.trim().split("\\s+"));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void help_at80Columns_fitsAndBreaksLinesOnlyBetweenWords(String name) {
        String help = usage(name, 80);
        assertThat(help.lines()).as(name).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        // picocli may break a line inside a token ("fuse.\ndenyfs", "6.1.0\n-56"): then the words differ
        List<String> narrow = words(help);
        List<String> wide = words(usage(name, 2000));
        List<String> split = new ArrayList<>(narrow);
        split.removeAll(wide);
        assertThat(split).as(name + ": pieces of tokens split across lines (picocli breaks after . or , before a"
                + " letter: reword, or move the token)").isEmpty();
        assertThat(narrow).as(name).isEqualTo(wide);
    }

    @ParameterizedTest
    @MethodSource("commands")
    void help_paragraphs_areNotHandWrappedOrIndented(String name) {
        CommandSpec spec = command(name).getCommandSpec();
        List<String> paragraphs = new ArrayList<>(List.of(spec.usageMessage().description()));
        paragraphs.addAll(List.of(spec.usageMessage().header()));
        assertThat(paragraphs).as(name).allSatisfy(p -> assertThat(p).doesNotStartWith(" "));
        assertThat(spec.usageMessage().exitCodeList()).as(name + ": an exit status list").isNotEmpty();
        // an example is a literal block in the man page, indented 11 more columns and never wrapped
        assertThat(spec.usageMessage().footer()).as(name + ": examples fit a man page")
                .filteredOn(line -> line.startsWith(" "))
                .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80 - 11));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void version_ofEveryCommand_isThePomVersion(String name) throws Exception {
        List<String> args = new ArrayList<>(words(name).subList(1, words(name).size()));
        args.add("--version");
        if (NATIVE.contains(name)) { // a C tool: it names itself
            Run r = nativeTool(args.get(0), "--version");
            assertThat(r.status).isZero();
            assertThat(r.out.trim()).isEqualTo(name + " " + pomVersion());
            return;
        }
        Run r = run(args.toArray(String[]::new));
        assertThat(r.status).isZero();
        assertThat(r.out.trim()).isEqualTo("denyfs " + pomVersion());
    }

    /** The commands the jar hands to C programs, arguments untouched (NativeTools). */
    private static final List<String> NATIVE = List.of("denyfs hold", "denyfs ctl");

    @ParameterizedTest
    @MethodSource("commands")
    void help_ofEveryCommand_printsNoPicocliWarning(String name) {
        List<String> args = new ArrayList<>(words(name).subList(1, words(name).size()));
        args.add("--help");
        Run r = run(args.toArray(String[]::new));
        assertThat(r.status).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).doesNotContain("[picocli WARN]");
    }

    @org.junit.jupiter.api.Test
    void usageError_unknownOption_isOneLineAndAHintWithStatus2() {
        Run r = run("mount", "--frob", "/a", "/b");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.lines()).containsExactly("denyfs mount: Unknown option: '--frob'",
                "Try 'denyfs mount --help' for more information.");
        assertThat(r.out).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void usageError_noCommand_saysSoInOneLine() {
        Run r = run();
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.lines()).containsExactly("denyfs: no COMMAND given", "Try 'denyfs --help' for more information.");
    }

    // hold and ctl are C programs (src/main/c/tools); the jar hands them its arguments untouched.

    @org.junit.jupiter.api.Test
    void ctl_unknownVerb_exits2NamingTheVerbNotTheFile() throws Exception {
        Run r = nativeTool("ctl", "frob", "/tmp");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.lines()).containsExactly(
                "denyfs ctl: unknown verb 'frob' (expected query, deny, xdeny, allow, holders, status or firmware)",
                "Try 'denyfs ctl --help' for more information.");
    }

    @org.junit.jupiter.api.Test
    void hold_waitGivenAFile_isAClearUsageError() throws Exception {
        Run r = nativeTool("hold", "-w", "FILE", "--", "true");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.lines()).hasSize(2);
        assertThat(r.err).contains("'FILE' is not a number of seconds");
    }

    private static Run nativeTool(String name, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                org.denyfs.abi.NativeDir.locate().resolve("denyfs-" + name).toString()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        return new Run(p.waitFor(), out, err);
    }

    @org.junit.jupiter.api.Test
    void mount_unknownMountOption_isAUsageErrorNamingIt() {
        Run r = run("mount", "-o", "rw,polcy=plain", "/a", "/b");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.lines()).containsExactly("denyfs mount: unknown mount option 'polcy=plain' (see denyfs mount --help)",
                "Try 'denyfs mount --help' for more information.");
    }

    @org.junit.jupiter.api.Test
    void mount_help_namesEveryMountOption() {
        String help = usage("denyfs mount", 80);
        for (String o : List.of("debug", "log=", "log_level=", "policy=", "kernel=", "init_ms=", "attr_timeout=",
                "entry_timeout=", "negative_timeout=", "fsname=", "nonempty", "allow_other", "noauto", "_netdev")) {
            assertThat(help).contains(o);
        }
    }

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static String pomVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>denyfs</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
