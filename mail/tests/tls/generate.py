"""Regenerates cert.pem and key.pem: the TEST-ONLY certificate of the test SMTP sink.

Self-signed, not a CA (webpki refuses a CA certificate as a server's own), for 127.0.0.1 and
localhost, valid 2000-2100 so no clock a test runs under makes it expire or not yet valid.
Run: python3 generate.py (needs the `cryptography` package).
"""
import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

WARNING = (
    "TEST ONLY: the self-signed certificate and private key of the test SMTP sink on 127.0.0.1\n"
    "(mail/tests/smtp.rs). The key is public: never trust this certificate anywhere else.\n"
    "Regenerate with mail/tests/tls/generate.py.\n"
)

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aura-smtp-sink test certificate")])
certificate = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
    .not_valid_after(datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc))
    .add_extension(
        x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
        critical=False,
    )
    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    .add_extension(
        x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
    )
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    .sign(key, hashes.SHA256())
)
with open("cert.pem", "w") as f:
    f.write(WARNING + certificate.public_bytes(serialization.Encoding.PEM).decode())
with open("key.pem", "w") as f:
    f.write(
        WARNING
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    )
