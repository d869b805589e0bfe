/* crawld-worker — placeholder entry point: answers --version until its issue lands. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("crawld-worker %s\n", CRAWLD_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: crawld-worker --version\n");
    return 2;
}
