/*
 * Just enough of include/linux/module.h, export.h and a modpost .mod.c to give a gcc-compiled object
 * the shape of a real 6.1 x86-64 .ko: .modinfo strings, struct module with its name at offset 24 in
 * .gnu.linkonce.this_module, __ksymtab_NAME entries with __kstrtab_/__kstrtabns_ strings, __crc_NAME
 * CRCs and a __versions table. Used by the module tests' fixtures and by the herd benchmark's
 * generated module tree (bench.GeneratedModuleTree); compiled where they run, never committed as binaries.
 *
 * The compiler is given -DKBUILD_MODNAME='"name"'.
 */
#ifndef FIXTURE_MODULE_H
#define FIXTURE_MODULE_H

#ifndef FIXTURE_VERMAGIC
#define FIXTURE_VERMAGIC "6.4.0-rc4 SMP preempt mod_unload modversions "
#endif

#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#define MODULE_INFO(tag, info) \
    static const char __UNIQUE_ID(tag)[] __attribute__((section(".modinfo"), used, aligned(1))) = \
        __stringify(tag) "=" info
#define MODULE_LICENSE(l) MODULE_INFO(license, l)
#define MODULE_AUTHOR(a) MODULE_INFO(author, a)
#define MODULE_DESCRIPTION(d) MODULE_INFO(description, d)
#define MODULE_ALIAS(a) MODULE_INFO(alias, a)
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, #ns)
#define MODULE_PARM(p, type, desc) MODULE_INFO(parm, #p ":" desc); MODULE_INFO(parmtype, #p ":" type)

/* include/linux/export.h of 6.1, without the PREL32 trick: absolute pointers are fine in a fixture */
struct kernel_symbol {
    const void *value;
    const char *name;
    const char *namespace;
};
#define ___EXPORT_SYMBOL(sym, sec, ns) \
    static const char __kstrtab_##sym[] __attribute__((section("__ksymtab_strings"), used, aligned(1))) = #sym; \
    static const char __kstrtabns_##sym[] __attribute__((section("__ksymtab_strings"), used, aligned(1))) = ns; \
    static const struct kernel_symbol __ksymtab_##sym \
        __attribute__((section("___ksymtab" sec "+" #sym), used, aligned(8))) = \
        {(const void *)&sym, __kstrtab_##sym, __kstrtabns_##sym}
#define EXPORT_SYMBOL(sym) ___EXPORT_SYMBOL(sym, "", "")
#define EXPORT_SYMBOL_GPL(sym) ___EXPORT_SYMBOL(sym, "_gpl", "")
#define EXPORT_SYMBOL_NS_GPL(sym, ns) ___EXPORT_SYMBOL(sym, "_gpl", #ns)
/* genksyms' CRC of an export; modpost puts these in __kcrctab */
#define SYMBOL_CRC(sym, crc, sec) \
    static const unsigned int __crc_##sym __attribute__((section("___kcrctab" sec "+" #sym), used)) = crc

/* what modpost writes into NAME.mod.c */
struct modversion_info {
    unsigned long crc;
    char name[64 - sizeof(unsigned long)];
};
#define MODULE_VERSIONS(...) \
    static const struct modversion_info ____versions[] __attribute__((section("__versions"), used, aligned(8))) = \
        {__VA_ARGS__}

struct module {
    int state;
    struct { void *next, *prev; } list;
    char name[64 - sizeof(unsigned long)];
    char rest[896 - 80];
};
#ifdef INTREE
#define MODULE_INTREE MODULE_INFO(intree, "Y")
#else
#define MODULE_INTREE struct fixture_out_of_tree
#endif
#define MODULE_BOILERPLATE(deps) \
    MODULE_INTREE; \
    struct module __this_module __attribute__((section(".gnu.linkonce.this_module"), aligned(64))) = { \
        .name = KBUILD_MODNAME}; \
    MODULE_INFO(depends, deps); \
    MODULE_INFO(retpoline, "Y"); \
    MODULE_INFO(name, KBUILD_MODNAME); \
    MODULE_INFO(vermagic, FIXTURE_VERMAGIC)

#define __init __attribute__((section(".init.text"), used))
#define __exit __attribute__((section(".exit.text"), used))

extern int _printk(const char *fmt, ...);

#endif
