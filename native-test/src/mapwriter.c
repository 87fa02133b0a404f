/*
 * mapwriter FILE: opens FILE read-write, maps its first page MAP_SHARED and writable, closes the
 * descriptor, writes through the mapping, prints "ready" and waits for a line (or EOF) on stdin
 * before it unmaps and exits. The window between close(2) and munmap(2) is the one the kernel
 * still counts as a writer (the mapping holds the open file), which no dup'ing runtime (Python's
 * mmap module keeps a dup of the fd) leaves observable.
 * Options: -p maps PROT_READ first and mprotect()s it writable after the close; -f forks after
 * the close and the child keeps the mapping while the parent unmaps.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int protect_later = 0, fork_child = 0, opt;
    while ((opt = getopt(argc, argv, "pf")) != -1) {
        if (opt == 'p') protect_later = 1;
        else if (opt == 'f') fork_child = 1;
        else { fprintf(stderr, "usage: mapwriter [-p] [-f] FILE\n"); return 2; }
    }
    if (optind != argc - 1) { fprintf(stderr, "usage: mapwriter [-p] [-f] FILE\n"); return 2; }
    const char *path = argv[optind];
    int fd = open(path, O_RDWR);
    if (fd < 0) { perror(path); return 1; }
    char *m = mmap(NULL, 4096, protect_later ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    if (close(fd) != 0) { perror("close"); return 1; }
    if (protect_later && mprotect(m, 4096, PROT_READ | PROT_WRITE) != 0) { perror("mprotect"); return 1; }
    if (fork_child) {
        pid_t child = fork();
        if (child < 0) { perror("fork"); return 1; }
        if (child > 0) {
            munmap(m, 4096); /* the parent lets go; the child's copy of the mapping still writes */
            int st;
            waitpid(child, &st, 0);
            return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        }
    }
    memcpy(m, "hello", 5);
    if (msync(m, 4096, MS_SYNC) != 0) { perror("msync"); return 1; }
    printf("ready\n");
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) { /* EOF: the test closed our stdin */ }
    memcpy(m + 5, "!", 1);
    munmap(m, 4096);
    return 0;
}
