package org.connectionregistry.adapter.grpc.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies signed JWTs (RSA, RSA-PSS or elliptic-curve signatures) with Nimbus JOSE+JWT, against
 * public keys read from a file: a JWK set (JSON) or PEM public keys and certificates. The file is
 * read again when it changes, so keys can be rotated without a restart.
 *
 * <p>A token must carry {@code sub} (the caller's name, which is also the client ID it owns) and
 * {@code exp}; it may carry {@code client_ids} (patterns of further IDs it owns, {@code *} for
 * any characters) and {@code roles} (with {@code admin}, it may change any client and list all).
 * Issuer and audience are checked when configured.
 */
public final class JwtTokenVerifier implements TokenVerifier {

  public static final String CLIENT_IDS_CLAIM = "client_ids";
  public static final String ROLES_CLAIM = "roles";
  public static final String ADMIN_ROLE = "admin";

  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
          JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
          JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  /** Tokens verified lately; a token is a few hundred bytes, so this stays within a few MB. */
  static final int REMEMBERED_TOKENS = 10_000;

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final ReloadingKeys keys;

  /**
   * Tokens whose signature and claims were verified, with what they prove: checking an ECDSA or
   * RSA signature costs far more than the call it guards, and a client sends the same token with
   * every call. A remembered token is trusted only while it has not expired and the key set it
   * was verified with is still the current one; anything else is verified in full again.
   */
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder()
          .maximumSize(REMEMBERED_TOKENS)
          .expireAfterWrite(Duration.ofMinutes(10))
          .build();

  private record Verified(Caller caller, Date expiry, JWKSet keys) {}

  /**
   * @param keys a JWK set or PEM public keys / certificates
   * @param issuer the required {@code iss}, or null for any
   * @param audience the required {@code aud}, or null for any
   * @throws IllegalArgumentException if the file cannot be read or holds no usable key
   */
  public JwtTokenVerifier(Path keys, String issuer, String audience) {
    this.keys = new ReloadingKeys(keys);
    this.keys.current(); // fail at start-up, not at the first call
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, this.keys));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (issuer != null) {
      exact.issuer(issuer);
    }
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            audience == null ? null : Set.of(audience),
            exact.build(),
            Set.of("sub", "exp"),
            null));
  }

  @Override
  public Caller verify(String token) throws TokenRejectedException {
    JWKSet currentKeys = keys.current();
    Verified remembered = verified.getIfPresent(token);
    if (remembered != null
        && remembered.keys() == currentKeys
        && remembered.expiry().getTime() > System.currentTimeMillis()) {
      return remembered.caller();
    }
    Caller caller = verifyInFull(token);
    verified.put(token, new Verified(caller, expiryOf(token), currentKeys));
    return caller;
  }

  private static Date expiryOf(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
    } catch (ParseException e) {
      return new Date(0); // cannot happen for a token that verified; never trusted again
    }
  }

  private Caller verifyInFull(String token) throws TokenRejectedException {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new TokenRejectedException("it is not a well-formed signed JWT");
    } catch (BadJWTException e) {
      throw new TokenRejectedException(describeClaimsProblem(token, e));
    } catch (BadJOSEException e) {
      throw new TokenRejectedException(
          "its signature does not verify with any of this server's keys (forged, or signed by"
              + " another issuer); get a token from the issuer this server trusts");
    } catch (JOSEException e) {
      throw new TokenRejectedException("it could not be verified: " + e.getMessage());
    }
    try {
      List<String> patterns = claims.getStringListClaim(CLIENT_IDS_CLAIM);
      List<String> roles = claims.getStringListClaim(ROLES_CLAIM);
      return new Caller(
          claims.getSubject(),
          "token",
          patterns == null ? List.of() : patterns,
          roles != null && roles.contains(ADMIN_ROLE));
    } catch (ParseException e) {
      throw new TokenRejectedException(
          "its " + CLIENT_IDS_CLAIM + " and " + ROLES_CLAIM + " claims must be lists of strings");
    }
  }

  private static String describeClaimsProblem(String token, BadJWTException e) {
    String message = Objects.requireNonNullElse(e.getMessage(), "");
    if (message.contains("Expired")) {
      try {
        Date expiry = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
        return "it expired at " + expiry.toInstant() + "; get a new token";
      } catch (ParseException unreadable) {
        return "it has expired; get a new token";
      }
    }
    return "its claims are not accepted (" + message + "); get a token meant for this server";
  }

  /** The keys of the file, read again whenever the file's modification time changes. */
  private static final class ReloadingKeys implements JWKSource<SecurityContext> {
    private final Path file;
    private volatile Loaded loaded;

    private record Loaded(FileTime modified, long checkedAtNanos, JWKSet keys) {}

    ReloadingKeys(Path file) {
      this.file = file;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
      return selector.select(current());
    }

    JWKSet current() {
      Loaded now = loaded;
      long time = System.nanoTime();
      if (now != null && time - now.checkedAtNanos() < 1_000_000_000L) {
        return now.keys();
      }
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        if (now != null && modified.equals(now.modified())) {
          loaded = new Loaded(modified, time, now.keys());
          return now.keys();
        }
        JWKSet keys = parse(Files.readString(file, StandardCharsets.UTF_8));
        loaded = new Loaded(modified, time, keys);
        return keys;
      } catch (IOException | IllegalArgumentException e) {
        if (now != null) {
          return now.keys(); // keep the last good keys while the file is being replaced
        }
        throw new IllegalArgumentException(
            "Token keys " + file + " cannot be read: " + e.getMessage(), e);
      }
    }
  }

  /** A JWK set (JSON), or PEM {@code PUBLIC KEY} and {@code CERTIFICATE} blocks. */
  static JWKSet parse(String text) {
    if (text.strip().startsWith("{")) {
      try {
        JWKSet set = JWKSet.parse(text);
        if (set.getKeys().isEmpty()) {
          throw new IllegalArgumentException("the JWK set has no keys");
        }
        return set.toPublicJWKSet();
      } catch (ParseException e) {
        throw new IllegalArgumentException("not a JWK set: " + e.getMessage());
      }
    }
    List<JWK> keys = new ArrayList<>();
    Set<String> kinds = new HashSet<>();
    Matcher block = PEM.matcher(text);
    while (block.find()) {
      String kind = block.group(1);
      kinds.add(kind);
      byte[] der = Base64.getMimeDecoder().decode(block.group(2));
      try {
        if (kind.equals("CERTIFICATE")) {
          keys.add(JWK.parse(X509CertUtils.parse(der)));
        } else if (kind.equals("PUBLIC KEY")) {
          keys.add(toJwk(publicKey(der)));
        }
      } catch (JOSEException | RuntimeException e) {
        throw new IllegalArgumentException("a " + kind + " block is not usable: " + e.getMessage());
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "no PUBLIC KEY or CERTIFICATE block found" + (kinds.isEmpty() ? "" : " (found " + kinds + ")"));
    }
    return new JWKSet(keys);
  }

  private static PublicKey publicKey(byte[] der) {
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (java.security.GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not an RSA or EC public key");
  }

  private static JWK toJwk(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return new com.nimbusds.jose.jwk.RSAKey.Builder(rsa).build();
    }
    ECPublicKey ec = (ECPublicKey) key;
    return new com.nimbusds.jose.jwk.ECKey.Builder(
            com.nimbusds.jose.jwk.Curve.forECParameterSpec(ec.getParams()), ec)
        .build();
  }
}
