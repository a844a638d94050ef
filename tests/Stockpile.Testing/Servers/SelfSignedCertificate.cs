using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stockpile.Testing.Servers;

/// <summary>A throwaway self-signed certificate for localhost and 127.0.0.1, with its PEM texts.</summary>
public sealed class SelfSignedCertificate : IDisposable
{
    private SelfSignedCertificate(X509Certificate2 certificate, string certificatePem, string keyPem)
    {
        Certificate = certificate;
        CertificatePem = certificatePem;
        KeyPem = keyPem;
    }

    /// <summary>Gets the certificate (public part), to pin in a validation callback.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Gets the certificate as PEM.</summary>
    public string CertificatePem { get; }

    /// <summary>Gets the unencrypted PKCS#8 private key as PEM.</summary>
    public string KeyPem { get; }

    /// <summary>Creates a certificate valid for a day.</summary>
    public static SelfSignedCertificate Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return new SelfSignedCertificate(
            X509CertificateLoader.LoadCertificate(certificate.RawData),
            certificate.ExportCertificatePem(),
            key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Writes <c>cert.pem</c> and <c>key.pem</c> into <paramref name="directory"/>.</summary>
    public (string CertificatePath, string KeyPath) WriteTo(string directory)
    {
        var certificatePath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificatePath, CertificatePem);
        File.WriteAllText(keyPath, KeyPem);
        return (certificatePath, keyPath);
    }

    /// <inheritdoc/>
    public void Dispose() => Certificate.Dispose();
}
