/*
 * A module that uses fx_base_fn, so loading it takes a reference on fx_base. Variants, by -D:
 * USER_CRC (the CRC it was built against), USE_UNKNOWN (needs a symbol nobody exports), USE_NS
 * (uses a namespaced symbol; IMPORT_NS imports its namespace), LICENSE.
 */
#include "module.h"

#ifndef USER_CRC
#define USER_CRC 0x1111aaaa
#endif
#ifndef LICENSE
#define LICENSE "GPL"
#endif

extern int fx_base_fn(int x);
#ifdef USE_UNKNOWN
extern int fx_nowhere_fn(void);
#endif
#ifdef USE_NS
extern int fx_ns_fn(void);
#endif

static int __init fx_user_init(void)
{
    int r = fx_base_fn(1);
#ifdef USE_UNKNOWN
    r += fx_nowhere_fn();
#endif
#ifdef USE_NS
    r += fx_ns_fn();
#endif
    _printk("%s: %d\n", KBUILD_MODNAME, r);
    return 0;
}
int init_module(void) __attribute__((alias("fx_user_init")));

static void __exit fx_user_exit(void)
{
}
void cleanup_module(void) __attribute__((alias("fx_user_exit")));

MODULE_VERSIONS({0x12345678, "module_layout"}, {USER_CRC, "fx_base_fn"}, {0x9abcdef0, "_printk"});
#ifdef IMPORT_NS
MODULE_IMPORT_NS(FX_NS);
#endif
MODULE_DESCRIPTION("denyfs test fixture: a user of fx_base");
MODULE_LICENSE(LICENSE);
MODULE_BOILERPLATE("fx_base");
