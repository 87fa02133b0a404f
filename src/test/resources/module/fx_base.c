/* A library module: exports a GPL function with a CRC, a plain one, and a namespaced one. */
#include "module.h"

static int calls;
static unsigned int depth = 4;

int fx_base_fn(int x)
{
    calls++;
    return x + 1;
}
EXPORT_SYMBOL_GPL(fx_base_fn);
SYMBOL_CRC(fx_base_fn, 0x1111aaaa, "_gpl");

int fx_base_data = 42;
EXPORT_SYMBOL(fx_base_data);

int fx_ns_fn(void)
{
    return calls;
}
EXPORT_SYMBOL_NS_GPL(fx_ns_fn, FX_NS);

static int __init fx_base_init(void)
{
    _printk("fx_base: depth %u\n", depth);
    return 0;
}
int init_module(void) __attribute__((alias("fx_base_init")));

static void __exit fx_base_exit(void)
{
}
void cleanup_module(void) __attribute__((alias("fx_base_exit")));

MODULE_PARM(depth, "uint", "how deep (uint)");
MODULE_ALIAS("fx-base");
MODULE_DESCRIPTION("denyfs test fixture: a library");
MODULE_AUTHOR("denyfs tests");
MODULE_LICENSE("GPL");
MODULE_BOILERPLATE("");
