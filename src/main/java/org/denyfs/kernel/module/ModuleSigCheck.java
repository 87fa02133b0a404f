package org.denyfs.kernel.module;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.ModuleSignature;
import org.denyfs.image.Pkcs7;

/**
 * module_sig_check() (kernel/module/signing.c) of a kernel built with CONFIG_MODULE_SIG and without
 * enforcement (Debian's), with mod_verify_sig(), mod_check_sig() and the PKCS#7 steps of
 * verify_pkcs7_signature():
 * <ol>
 *   <li>no marker, or IGNORE_MODVERSIONS / IGNORE_VERMAGIC (a "mangled" module is not checked):
 *       unsigned, ENODATA, non-fatal;</li>
 *   <li>struct module_signature: no room for it, or sig_len not inside the image: EBADMSG;
 *       id_type not PKCS#7: ENOPKG, non-fatal; any other field not zero: EBADMSG;</li>
 *   <li>the PKCS#7 blob does not parse: EBADMSG (fatal even without enforcement, as the kernel
 *       says); an unknown digest or signature algorithm: ENOPKG, non-fatal; signed content that is
 *       not id-data, or authenticated attributes, which a module signature may not carry:
 *       EKEYREJECTED;</li>
 *   <li>the signer's key (its serial number or subject key id, as modinfo's sig_key shows it) is
 *       not in the emulated kernel's keyring: ENOKEY, non-fatal; it is: sig_ok.</li>
 * </ol>
 * Non-fatal results load the module with sig_ok false (tainted 'E'). denyfs has no key material,
 * so the signature bytes themselves are never checked: a signature naming a trusted key is taken
 * as good (a real kernel would say EKEYREJECTED for a forged one).
 */
final class ModuleSigCheck {
    /** @param length the image length to load: without the signature (or only without the marker, for ENOPKG) */
    record Result(int length, boolean sigOk) {}

    private ModuleSigCheck() {}

    static Result check(ByteBuffer image, int flags, Set<String> trustedKeys) {
        int len = image.limit();
        boolean mangled = (flags & (Modules.MODULE_INIT_IGNORE_MODVERSIONS | Modules.MODULE_INIT_IGNORE_VERMAGIC)) != 0;
        if (mangled || !ModuleSignature.present(image)) {
            return new Result(len, false); // ENODATA: unsigned
        }
        len -= ModuleSignature.MARKER_LENGTH;
        if (len <= ModuleSignature.STRUCT_SIZE) {
            throw new ErrnoException(Errno.EBADMSG, "module signature: no room for struct module_signature");
        }
        ByteBuffer be = image.duplicate().order(ByteOrder.BIG_ENDIAN);
        int ms = len - ModuleSignature.STRUCT_SIZE;
        long sigLen = Integer.toUnsignedLong(be.getInt(ms + 8));
        if (sigLen >= ms) {
            throw new ErrnoException(Errno.EBADMSG, "module signature: sig_len " + sigLen + " exceeds the module");
        }
        if ((be.get(ms + 2) & 0xff) != ModuleSignature.PKEY_ID_PKCS7) {
            return new Result(len, false); // ENOPKG: "not signed with expected PKCS#7 message"
        }
        for (int i = 0; i < 8; i++) {
            if (i != 2 && be.get(ms + i) != 0) {
                throw new ErrnoException(Errno.EBADMSG, "module signature: PKCS#7 signature info has unexpected non-zero params");
            }
        }
        int modlen = (int) (ms - sigLen);
        byte[] blob = new byte[(int) sigLen];
        image.duplicate().get(modlen, blob);
        return new Result(modlen, verify(blob, trustedKeys));
    }

    /** The image length the kernel has counted when the check fails: without the marker, if there was one. */
    static int lengthAtFailure(ByteBuffer image) {
        return ModuleSignature.present(image) ? image.limit() - ModuleSignature.MARKER_LENGTH : image.limit();
    }

    /** verify_pkcs7_signature(): true for sig_ok, false for a non-fatal failure, ErrnoException for a fatal one. */
    private static boolean verify(byte[] blob, Set<String> trustedKeys) {
        Pkcs7.Message message;
        try {
            message = Pkcs7.parse(blob);
        } catch (Pkcs7.Malformed e) {
            throw new ErrnoException(Errno.EBADMSG, "module signature: PKCS#7 message does not parse: " + e.getMessage());
        }
        for (Pkcs7.SignerInfo s : message.signers()) {
            if (s.hashAlgo() == null || !s.pkeyKnown()) {
                return false; // ENOPKG: "module with unsupported crypto"
            }
        }
        if (!message.dataContent()) {
            throw new ErrnoException(Errno.EKEYREJECTED, "module signature: invalid module sig (not pkcs7-data)");
        }
        for (Pkcs7.SignerInfo s : message.signers()) {
            if (s.signedAttrs()) {
                throw new ErrnoException(Errno.EKEYREJECTED, "module signature: invalid module sig (has authattrs)");
            }
        }
        for (Pkcs7.SignerInfo s : message.signers()) {
            if (trustedKeys.contains(ModuleSignature.hex(s.keyId()))) {
                return true;
            }
        }
        return false; // ENOKEY: "module with unavailable key"
    }
}
