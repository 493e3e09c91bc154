package org.streamasr.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The main port's TLS from {@code asr.server.tls.cert} and {@code .key} (PEM, as certbot and openssl write them):
 * the certificate chain, and a PKCS#8 key ({@code BEGIN PRIVATE KEY}, RSA, EC or Ed25519) or an RSA PKCS#1 key
 * ({@code BEGIN RSA PRIVATE KEY}). Problems are {@link InvalidConfigException}s naming the key.
 */
final class PemTls {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemTls() {
    }

    /** The TLS context, or null when neither file is set. */
    static SSLContext fromConfig(ConfigReader r) {
        Path cert = r.optionalPath("asr.server.tls.cert");
        Path key = r.optionalPath("asr.server.tls.key");
        if (cert == null && key == null) return null;
        if (cert == null) throw new InvalidConfigException("asr.server.tls.cert", "set it together with asr.server.tls.key");
        if (key == null) throw new InvalidConfigException("asr.server.tls.key", "set it together with asr.server.tls.cert");
        return context(cert, key);
    }

    static SSLContext context(Path certFile, Path keyFile) {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(Files.readAllBytes(certFile)));
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException("asr.server.tls.cert", "cannot read a PEM certificate from " + certFile
                    + ": " + e.getMessage());
        }
        if (chain.isEmpty()) throw new InvalidConfigException("asr.server.tls.cert", "no certificate in " + certFile);
        PrivateKey key = privateKey(keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] pass = new char[0];
            store.setKeyEntry("server", key, pass, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, pass);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidConfigException("asr.server.tls.key", "the key in " + keyFile + " does not go with the "
                    + "certificate in " + certFile + ": " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidConfigException("asr.server.tls.key", "cannot read " + file + ": " + e.getMessage());
        }
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (type.equals("PRIVATE KEY")) return pkcs8(der, file);
            if (type.equals("RSA PRIVATE KEY")) return pkcs8(wrapRsa(der), file);
            if (type.equals("ENCRYPTED PRIVATE KEY") || type.equals("EC PRIVATE KEY")) {
                throw new InvalidConfigException("asr.server.tls.key", file + " holds an " + type + "; convert it "
                        + "with: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
            }
        }
        throw new InvalidConfigException("asr.server.tls.key", "no PEM private key in " + file);
    }

    private static PrivateKey pkcs8(byte[] der, Path file) {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new InvalidConfigException("asr.server.tls.key", "the key in " + file + " is not an RSA, EC or Ed25519 key");
    }

    /** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo {version 0, rsaEncryption, OCTET STRING key}. */
    private static byte[] wrapRsa(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        writeLength(body, pkcs1.length);
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        writeLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write((length >> 8) & 0xff);
            out.write(length & 0xff);
        }
    }
}
