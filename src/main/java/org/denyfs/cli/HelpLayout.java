package org.denyfs.cli;

/**
 * What every command's help shares, so that picocli lays it all out the same way: the width, and
 * the headings of the sections picocli renders itself (and the man pages take over).
 */
final class HelpLayout {
    /** Help is laid out for an 80-column terminal, as man pages are. */
    static final int WIDTH = 80;
    static final String EXIT_STATUS = "%nExit status:%n";
    static final String EXAMPLES = "%nExamples:%n";

    private HelpLayout() {}
}
