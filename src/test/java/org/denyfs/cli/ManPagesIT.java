package org.denyfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * What the build makes from the commands (pom.xml, prepare-package): a man page per command that
 * man(1) renders, and a bash completion script that completes commands, verbs and options.
 */
class ManPagesIT {
    /** target/, where the build put them (failsafe sets DENYFS_NATIVE to target/native). */
    private static final Path BUILD = Path.of(System.getenv().getOrDefault("DENYFS_NATIVE", "target/native"))
            .toAbsolutePath().getParent();

    static Stream<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all.stream();
    }

    private static void collect(CommandLine cl, List<CommandLine> all) {
        all.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, all));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void manPage_ofEveryCommand_rendersItsNameSynopsisAndExitStatus(CommandLine cl) throws Exception {
        String name = cl.getCommandSpec().qualifiedName("-");
        Path page = BUILD.resolve("man/man1/" + name + ".1");
        assertThat(page).as("the build's man page for " + name).isRegularFile();
        Run r = run(Map.of("MANWIDTH", "80"), "man", "-l", "--warnings", page.toString());
        assertThat(r.status).isZero();
        assertThat(r.err).as("man's warnings").isEmpty();
        assertThat(r.out).contains("NAME", name + " - ", "SYNOPSIS", "EXIT STATUS", "denyfs " + version());
        assertThat(r.out.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void completion_completesCommandsVerbsAndOptions() throws Exception {
        Path script = BUILD.resolve("denyfs-completion.bash");
        assertThat(script).isRegularFile();
        assertThat(complete(script, "denyfs", "mo")).containsExactlyInAnyOrder("mount", "modprobe", "modinfo");
        assertThat(complete(script, "denyfs", "ctl", "")).containsExactly("query", "deny", "xdeny", "allow", "holders", "status");
        assertThat(complete(script, "denyfs", "mount", "--f")).containsExactly("--foreground");
        assertThat(complete(script, "denyfs", "bench", "")).contains("io", "herd");
    }

    private static List<String> complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        String bash = "source " + script + "\n"
                + "COMP_WORDS=(" + String.join(" ", Stream.of(words).map(w -> "'" + w + "'").toList()) + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length() + "\n"
                + "_complete_denyfs 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Run r = run(Map.of(), "bash", "-c", bash);
        assertThat(r.status).as(r.err).isZero();
        return r.out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String version() throws IOException {
        return new Main.Version().getVersion()[0].substring("denyfs ".length());
    }

    private record Run(int status, String out, String err) {}

    private static Run run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Run(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
