package org.denyfs.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** -o as mount(8), /etc/fstab and mount.fuse(8) hand it over: what is kept, ignored and refused. */
class MountOptionsTest {
    private static MountOptions parse(String options) {
        return MountOptions.parse(List.of(options));
    }

    @Test
    void readOnly_theLastOfRoAndRwWins() {
        assertThat(parse("").readOnly()).isFalse();
        assertThat(parse("ro").readOnly()).isTrue();
        assertThat(parse("ro,rw").readOnly()).isFalse();
        assertThat(parse("rw,ro").readOnly()).isTrue();
    }

    @Test
    void parse_genericMountFlags_goToTheKernel() {
        assertThat(parse("rw,nosuid,nodev,noexec,noatime,sync,dirsync,dev,suid,exec,atime,async,ro").fuseOptions())
                .containsExactly("rw", "nosuid", "nodev", "noexec", "noatime", "sync", "dirsync", "dev", "suid", "exec",
                        "atime", "async", "ro");
    }

    @Test
    void parse_passthrough_isAutoUnlessGiven_andRefusesOtherWords() {
        assertThat(parse("").passthrough()).isEqualTo(MountOptions.PassthroughMode.AUTO);
        assertThat(parse("passthrough=auto").passthrough()).isEqualTo(MountOptions.PassthroughMode.AUTO);
        assertThat(parse("passthrough=on").passthrough()).isEqualTo(MountOptions.PassthroughMode.ON);
        assertThat(parse("passthrough=OFF").passthrough()).isEqualTo(MountOptions.PassthroughMode.OFF);
        assertThatThrownBy(() -> parse("passthrough=yes")).hasMessage("passthrough=yes: expected auto, on or off");
        assertThatThrownBy(() -> parse("passthrough")).hasMessage("mount option passthrough= needs a value");
    }

    @Test
    void parse_fuseFlags_areKeptOnce() {
        assertThat(parse("allow_other,default_permissions,nonempty,allow_other").fuseOptions())
                .containsExactly("allow_other", "default_permissions", "nonempty");
    }

    @Test
    void parse_optionsForMountAndSystemd_areIgnoredAsMountFuseDoes() {
        MountOptions o = parse("defaults,noauto,auto,_netdev,user,nouser,users,owner,group,nofail,relatime,"
                + "x-systemd.automount,x-systemd.idle-timeout=60,x-mount.mkdir,comment=systemd.automount");
        assertThat(o).isEqualTo(MountOptions.defaults());
    }

    @Test
    void parse_whatMountPassesFromAnFstabUserLine_isAccepted() {
        // fstab "user,policy=plain,_netdev,nofail": mount(8) adds noexec,nosuid,nodev and hands on the rest
        MountOptions o = parse("rw,noexec,nosuid,nodev,policy=plain,_netdev,user,nofail");
        assertThat(o.policy()).isEqualTo("plain");
        assertThat(o.fuseOptions()).containsExactly("rw", "noexec", "nosuid", "nodev");
    }

    @Test
    void parse_fsname_setsTheSource() {
        assertThat(parse("fsname=modules").fsname()).isEqualTo("modules");
        assertThat(MountOptions.defaults().fsname()).isNull();
    }

    @Test
    void parse_typo_isRefusedNamingIt() {
        assertThatThrownBy(() -> parse("rw,polcy=plain")).hasMessage("unknown mount option 'polcy=plain' (see denyfs mount --help)");
        assertThatThrownBy(() -> parse("nonemtpy")).hasMessage("unknown mount option 'nonemtpy' (see denyfs mount --help)");
        assertThatThrownBy(() -> parse("rw=1")).hasMessage("unknown mount option 'rw=1' (see denyfs mount --help)");
    }

    @Test
    void parse_badValues_areRefusedNamingThem() {
        assertThatThrownBy(() -> parse("policy=lazy")).hasMessage("policy=lazy: expected one of plain, exclusive, exclusive-read, idempotent");
        assertThatThrownBy(() -> parse("init_ms=soon")).hasMessage("init_ms=soon: not a number of milliseconds");
        assertThatThrownBy(() -> parse("attr_timeout=-1")).hasMessage("attr_timeout=-1: must not be negative");
        assertThatThrownBy(() -> parse("fsname=")).hasMessage("mount option fsname= needs a value");
    }

    @Test
    void parse_symbolWaitMs_setsResolveSymbolWaitsBound_defaultTheKernels() {
        assertThat(parse("symbol_wait_ms=250").symbolWaitMillis()).isEqualTo(250L);
        assertThat(MountOptions.defaults().symbolWaitMillis()).isNull(); // Modules' default: 30 s
        assertThatThrownBy(() -> parse("symbol_wait_ms=-5")).hasMessage("symbol_wait_ms=-5: must not be negative");
    }

    @Test
    void parse_backingIdsParked_setsHowManyIdsOutliveTheirLastRelease() {
        assertThat(MountOptions.defaults().backingIdsParked()).isEqualTo(8192);
        assertThat(parse("backing_ids_parked=0").backingIdsParked()).isZero();
        assertThat(parse("backing_ids_parked=65536").backingIdsParked()).isEqualTo(1 << 16);
        assertThatThrownBy(() -> parse("backing_ids_parked=-1")).hasMessage("backing_ids_parked=-1: must be between 0 and 65536");
        assertThatThrownBy(() -> parse("backing_ids_parked=65537"))
                .hasMessage("backing_ids_parked=65537: must be between 0 and 65536");
        assertThatThrownBy(() -> parse("backing_ids_parked=many")).hasMessage("backing_ids_parked=many: not a whole number");
    }

    @Test
    void parse_moduleCompression_namesTheKernelsOneDecompressor() {
        assertThat(MountOptions.defaults().moduleCompression()).isEqualTo(org.denyfs.image.Compression.XZ);
        assertThat(parse("module_compression=zstd").moduleCompression()).isEqualTo(org.denyfs.image.Compression.ZSTD);
        assertThat(parse("module_compression=gzip").moduleCompression()).isEqualTo(org.denyfs.image.Compression.GZIP);
        assertThat(parse("module_compression=none").moduleCompression()).isNull();
        assertThatThrownBy(() -> parse("module_compression=lz4"))
                .hasMessage("module_compression=lz4: expected xz, zstd, gzip or none");
    }

    @Test
    void fuseArgs_source_isBackingEscapedForLibfuse() {
        List<String> args = Mount.fuseArgs(MountOptions.defaults(), "/srv/a,b\\c", true);
        assertThat(args.get(1)).startsWith("fsname=/srv/a\\,b\\\\c,subtype=denyfs,");
    }

    @Test
    void parse_exclusiveRead_joinsEveryGlobGiven() {
        MountOptions o = parse("exclusive_read=lib/**.ko:firmware/*,ro,exclusive_read=boot/vmlinuz-?");
        assertThat(o.exclusiveRead()).isEqualTo("lib/**.ko:firmware/*:boot/vmlinuz-?");
        assertThat(o.exclusiveReads().figures()).startsWith("exclusive_read=lib/**.ko:firmware/*:boot/vmlinuz-? ");
        assertThat(parse("ro").exclusiveReads().figures()).startsWith("exclusive_read=- ");
    }

    @Test
    void parse_exclusiveReadOfNoPathBelowTheMount_isRefusedNamingTheGlob() {
        assertThatThrownBy(() -> parse("exclusive_read=/etc/passwd")).hasMessageContaining("'/etc/passwd' is not a glob");
        assertThatThrownBy(() -> parse("exclusive_read=a::b")).hasMessageContaining("'' is not a glob");
        assertThatThrownBy(() -> parse("exclusive_read=[a")).hasMessageStartingWith("exclusive_read=[a: '[a': ");
        assertThatThrownBy(() -> parse("exclusive_read")).hasMessageContaining("exclusive_read");
    }
}
