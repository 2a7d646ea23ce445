package io.depthstream.pipeline.kafka;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * Looks at what a Kafka listener answers to a TLS greeting, after a client failed, so the one-line error can say
 * whether the listener speaks TLS and which certificate it presents. The probe trusts nothing: it records the
 * certificate and aborts the handshake, so no data is ever sent over it.
 */
final class TlsProbe {

    /** What a listener answered: its leaf certificate, or null when it did not speak TLS or could not be reached. */
    record Answer(boolean reached, X509Certificate certificate) {

        /** Whether the listener presented a TLS certificate. */
        boolean speaksTls() {
            return certificate != null;
        }

        /** The certificate's subject and issuer, for a message. */
        String describeCertificate() {
            return certificate.getSubjectX500Principal().getName() + " (issued by "
                    + certificate.getIssuerX500Principal().getName() + ")";
        }
    }

    private TlsProbe() {}

    /** Greets {@code host:port} with TLS and records the certificate it presents. */
    static Answer probe(String host, int port, Duration timeout) {
        Recorder recorder = new Recorder();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {recorder}, null);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, false)) {
                tls.startHandshake();
            } catch (IOException expected) {
                // the recorder refuses every certificate, so the handshake always ends here
            }
            return new Answer(true, recorder.leaf);
        } catch (IOException e) {
            return new Answer(recorder.leaf != null, recorder.leaf);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS: " + e.getMessage(), e);
        }
    }

    /** Records the server's chain and refuses it. */
    private static final class Recorder implements X509TrustManager {
        private volatile X509Certificate leaf;

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain != null && chain.length > 0) {
                leaf = chain[0];
            }
            throw new CertificateException("probe only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("probe only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
