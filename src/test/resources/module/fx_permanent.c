/* A module with an init but no exit: /proc/modules shows it [permanent], delete_module refuses it. */
#include "module.h"

static int __init fx_permanent_init(void)
{
    return 0;
}
int init_module(void) __attribute__((alias("fx_permanent_init")));

MODULE_LICENSE("GPL");
MODULE_BOILERPLATE("");
