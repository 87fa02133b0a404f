package org.denyfs.kernel.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.denyfs.core.Errno;
import org.denyfs.core.ErrnoException;
import org.denyfs.image.ModuleSignature;
import org.denyfs.image.Pkcs7;
import org.denyfs.testing.Fixtures;
import org.denyfs.testing.SignedImages;
import org.junit.jupiter.api.Test;

/**
 * What the kernel makes of a module's signature (module_sig_check()) and the PKCS#7 parser beneath
 * it, on well-formed and on corrupted signatures: each malformed one gets the kernel's errno, never
 * another exception (one corrupted byte used to be a NullPointerException, and EIO).
 */
class ModuleSigCheckTest {
    private static final Set<String> TRUSTED = Set.of(SignedImages.KEY_ID);
    private static final byte[] PLAIN = Fixtures.base();
    private static final byte[] SIGNED = SignedImages.sign(PLAIN);
    /** Where the PKCS#7 blob starts in {@link #SIGNED}. */
    private static final int BLOB_AT = PLAIN.length;

    private static ModuleSigCheck.Result check(byte[] image, Set<String> trusted) {
        return ModuleSigCheck.check(ByteBuffer.wrap(image), 0, trusted);
    }

    private static Errno errno(byte[] image) {
        Throwable t = catchThrowable(() -> check(image, TRUSTED));
        return t == null ? null : ((ErrnoException) t).errno();
    }

    /** SIGNED with one byte of its PKCS#7 blob set to {@code value}. */
    private static byte[] blobByte(int offset, int value) {
        byte[] img = SIGNED.clone();
        img[BLOB_AT + offset] = (byte) value;
        return img;
    }

    @Test
    void check_signedByATrustedKey_isSigOk_withoutTheSignature() {
        assertThat(check(SIGNED, TRUSTED)).isEqualTo(new ModuleSigCheck.Result(PLAIN.length, true));
    }

    @Test
    void check_signedByAnUnknownKey_isEnokey_notFatal() {
        assertThat(check(SIGNED, Set.of("01:02"))).isEqualTo(new ModuleSigCheck.Result(PLAIN.length, false));
    }

    @Test
    void check_unsigned_isEnodata_notFatal() {
        assertThat(check(PLAIN, TRUSTED)).isEqualTo(new ModuleSigCheck.Result(PLAIN.length, false));
    }

    @Test
    void check_ofAMangledLoad_isSkipped() {
        byte[] garbage = SIGNED.clone();
        Arrays.fill(garbage, BLOB_AT, BLOB_AT + 20, (byte) 0xff);
        assertThat(ModuleSigCheck.check(ByteBuffer.wrap(garbage), Modules.MODULE_INIT_IGNORE_VERMAGIC, TRUSTED))
                .isEqualTo(new ModuleSigCheck.Result(SIGNED.length, false));
    }

    @Test
    void check_sigLenPastTheModule_failsEbadmsg() {
        byte[] img = SIGNED.clone();
        ByteBuffer.wrap(img).putInt(img.length - ModuleSignature.MARKER_LENGTH - 4, img.length);
        assertThat(errno(img)).isEqualTo(Errno.EBADMSG);
    }

    @Test
    void check_noRoomForTheStruct_failsEbadmsg() {
        byte[] img = ("x".repeat(5) + ModuleSignature.MARKER).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(errno(img)).isEqualTo(Errno.EBADMSG);
    }

    @Test
    void check_nonZeroParamsInTheStruct_failsEbadmsg() {
        byte[] img = SIGNED.clone();
        img[img.length - ModuleSignature.MARKER_LENGTH - 12] = 1; // algo
        assertThat(errno(img)).isEqualTo(Errno.EBADMSG);
    }

    @Test
    void check_notPkcs7_isEnopkg_notFatal_andKeepsTheSignatureBytes() {
        byte[] img = SIGNED.clone();
        img[img.length - ModuleSignature.MARKER_LENGTH - 10] = 1; // id_type X509
        assertThat(check(img, TRUSTED)).isEqualTo(new ModuleSigCheck.Result(img.length - ModuleSignature.MARKER_LENGTH, false));
    }

    @Test
    void check_aBlobThatIsNotDer_failsEbadmsg() {
        assertThat(errno(blobByte(0, 0x04))).isEqualTo(Errno.EBADMSG); // ContentInfo is no SEQUENCE
        assertThat(errno(blobByte(1, 0x7f))).isEqualTo(Errno.EBADMSG); // its length runs past the blob
    }

    @Test
    void check_aDigestAlgorithmWithoutItsOid_failsEbadmsg_notANullPointer() {
        // the SignerInfo's digest algorithm: once an OID lookup of null, a NullPointerException and EIO
        int oid = lastOccurrence(0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01);
        assertThat(errno(blobByte(oid, 0x05))).isEqualTo(Errno.EBADMSG);
    }

    @Test
    void check_aDigestOidEndingMidArc_isUnsupportedCrypto_notFatal() {
        byte[] img = blobByte(lastOccurrence(0x65, 0x03, 0x04, 0x02, 0x01) + 4, 0x81);
        assertThat(check(img, TRUSTED).sigOk()).isFalse(); // ENOPKG: loads, tainted
    }

    @Test
    void check_contentNotData_failsEkeyrejected() {
        int data = lastOccurrence(0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01);
        assertThat(errno(blobByte(data + 5, 0x03))).isEqualTo(Errno.EKEYREJECTED); // id-envelopedData
    }

    /** The offset in the blob of the last occurrence of {@code values}. */
    private static int lastOccurrence(int... values) {
        byte[] blob = SignedImages.pkcs7();
        for (int i = blob.length - values.length; i >= 0; i--) {
            boolean match = true;
            for (int j = 0; j < values.length && match; j++) {
                match = blob[i + j] == (byte) values[j];
            }
            if (match) {
                return i;
            }
        }
        throw new AssertionError("not in the blob");
    }

    /** Every single-byte change of the signature (blob, struct, marker) ends in a result or a kernel errno. */
    @Test
    void check_everyByteOfTheSignatureCorrupted_givesAResultOrAKernelErrno() {
        int tried = 0;
        for (int at = BLOB_AT; at < SIGNED.length; at++) {
            for (int value : new int[] {0x00, 0x01, 0x30, 0x7f, 0x80, 0x81, 0x84, 0xff, SIGNED[at] ^ 0x01, SIGNED[at] ^ 0x80}) {
                byte[] img = SIGNED.clone();
                img[at] = (byte) value;
                assertKernelOutcome(img);
                tried++;
            }
        }
        for (int cut = PLAIN.length - 1; cut <= SIGNED.length; cut++) {
            assertKernelOutcome(Arrays.copyOf(SIGNED, cut));
            tried++;
        }
        System.out.printf("module_sig_check: %d corrupted signatures, each a result or a kernel errno%n", tried);
    }

    @Property(tries = 500)
    void check_randomDamageToTheBlob_givesAResultOrAKernelErrno(@ForAll @IntRange(min = 0, max = 10_000) int at,
            @ForAll byte value, @ForAll @IntRange(min = 0, max = 3) int extraFlips) {
        byte[] img = SIGNED.clone();
        int blobLength = SIGNED.length - BLOB_AT - 12 - ModuleSignature.MARKER_LENGTH;
        for (int i = 0; i <= extraFlips; i++) {
            img[BLOB_AT + (at + 31 * i) % blobLength] ^= (byte) (value + i);
        }
        assertKernelOutcome(img);
    }

    private static void assertKernelOutcome(byte[] img) {
        Throwable t = catchThrowable(() -> check(img, TRUSTED));
        if (t != null) {
            assertThat(t).isInstanceOf(ErrnoException.class);
            assertThat(((ErrnoException) t).errno()).isIn(Errno.EBADMSG, Errno.EKEYREJECTED);
        }
        // modinfo's reading of the same bytes never throws either
        assertThat(catchThrowable(() -> ModuleSignature.read(ByteBuffer.wrap(img)))).isNull();
        assertThat(catchThrowable(() -> Pkcs7.signerInfo(Arrays.copyOfRange(img, Math.min(BLOB_AT, img.length), img.length))))
                .isNull();
    }

    @Test
    void pkcs7_truncatedAnywhere_isMalformed_neverAnotherException() {
        byte[] blob = SignedImages.pkcs7();
        for (int cut = 0; cut < blob.length; cut++) {
            byte[] part = Arrays.copyOf(blob, cut);
            assertThatThrownBy(() -> Pkcs7.parse(part)).as("cut at " + cut).isInstanceOf(Pkcs7.Malformed.class);
        }
        assertThat(Pkcs7.signerInfo(blob).signer()).isEqualTo(SignedImages.SIGNER);
    }

    @Test
    void finitModule_withAnUnparseableSignature_failsEbadmsg_countedAsBecoming() {
        TestKernel k = new TestKernel();
        try {
            Modules m = k.builder().trustedKeys(List.of(SignedImages.KEY_ID)).build();
            byte[] img = blobByte(0, 0x04);
            assertThat(TestKernel.errnoOf(() -> m.finitModule(new FakeInode(img).open(), "", 0))).isEqualTo(Errno.EBADMSG);
            assertThat(m.stats()).contains("Failed becoming bytes\t" + (img.length - ModuleSignature.MARKER_LENGTH));
            assertThat(TestKernel.errnoOf(() -> m.initModule(ByteBuffer.wrap(img), ""))).isEqualTo(Errno.EBADMSG);
            assertThat(m.bytesInFlight()).isZero();
        } finally {
            k.close();
        }
    }
}
