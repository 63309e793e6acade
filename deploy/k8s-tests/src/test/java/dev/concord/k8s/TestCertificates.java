package dev.concord.k8s;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority and a broker certificate for localhost, made for one test run, shaped like
 * Strimzi's cluster CA: the broker holds a key signed by the CA; clients trust the CA through a PKCS12
 * truststore (Strimzi's {@code ca.p12}, opened with {@code ca.password}; {@code ca.crt} is its PEM form).
 */
record TestCertificates(Path brokerKeystore, Path truststore, Path caCertificate, String password) {

    private static final Duration VALIDITY = Duration.ofDays(2);

    static TestCertificates create(Path dir) {
        try {
            String password = UUID.randomUUID().toString();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair caKeys = generator.generateKeyPair();
            KeyPair brokerKeys = generator.generateKeyPair();
            X500Name caName = new X500Name("CN=Concord test cluster CA");

            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, notBefore(), notAfter(), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), caKeys);
            X509Certificate broker = sign(brokerCertificate(caName, brokerKeys.getPublic()), caKeys);

            Path brokerKeystore = dir.resolve("broker.p12");
            KeyStore keystore = emptyPkcs12();
            keystore.setKeyEntry("broker", brokerKeys.getPrivate(), password.toCharArray(), new Certificate[]{broker, ca});
            store(keystore, brokerKeystore, password);

            Path truststore = dir.resolve("ca.p12");
            KeyStore trusted = emptyPkcs12();
            trusted.setCertificateEntry("ca", ca);
            store(trusted, truststore, password);

            Path caCertificate = dir.resolve("ca.crt");
            Files.writeString(caCertificate, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            return new TestCertificates(brokerKeystore, truststore, caCertificate, password);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make test certificates", e);
        }
    }

    private static X509v3CertificateBuilder brokerCertificate(X500Name issuer, PublicKey key) throws CertIOException {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.TWO, notBefore(), notAfter(), new X500Name("CN=localhost"), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                // Clients check the broker's name (ssl.endpoint.identification.algorithm=https).
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(VALIDITY));
    }

    private static KeyStore emptyPkcs12() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static void store(KeyStore store, Path file, String password) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }

    byte[] truststoreBytes() {
        try {
            return Files.readAllBytes(truststore);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
