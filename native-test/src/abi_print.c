/* abi_print: prints every constant of denyfs_abi.h as NAME=VALUE, as the C compiler sees it, so
 * the Java mirror (abi.Abi) can be checked against the real _IOR values. */
#include <stdio.h>

#include "denyfs_abi.h"

#define NUM(name) printf("%s=%d\n", #name, (int)(name))
#define STR(name) printf("%s=%s\n", #name, name)

int main(void)
{
	NUM(DENYFS_IOC_QUERY);
	NUM(DENYFS_IOC_DENY);
	NUM(DENYFS_IOC_XDENY);
	NUM(DENYFS_IOC_ALLOW);
	NUM(DENYFS_FINIT_PARAMS_MAX);
	NUM(DENYFS_FINIT_TICKET);
	NUM(DENYFS_IOC_FINIT);
	STR(DENYFS_CONTROL_PATH);
	STR(DENYFS_VERB_QUERY);
	STR(DENYFS_VERB_DENY);
	STR(DENYFS_VERB_XDENY);
	STR(DENYFS_VERB_ALLOW);
	STR(DENYFS_VERB_HOLDERS);
	STR(DENYFS_VERB_STATUS);
	STR(DENYFS_VERB_FINIT);
	STR(DENYFS_VERB_INIT);
	STR(DENYFS_VERB_DELETE);
	STR(DENYFS_VERB_POLICY);
	STR(DENYFS_VERB_WAIT);
	STR(DENYFS_PROC_MODULES);
	STR(DENYFS_SYS_MODULE);
	STR(DENYFS_STATS);
	STR(DENYFS_CALLS);
	STR(DENYFS_INFLIGHT);
	STR(DENYFS_FSTYPE);
	return 0;
}
