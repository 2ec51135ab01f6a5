//! Sign-in with another identity provider's ID token (the token exchange): the person found
//! by `(issuer, subject)`, linked once by a verified email, or created as configured.

use super::*;

impl Accounts {
    /// RFC 8693 token exchange: another identity provider's verified ID token for a warden
    /// session, answered like a sign-in.
    ///
    /// In order, each step answering an attack of issue 25:
    /// 1. the token is verified ([`exchange::IdTokenVerifier::verify`]: issuer, keys,
    ///    signature, audience, expiry and age);
    /// 2. the exchange is charged to the throttle, per address and per provider subject
    ///    ([`exchange_throttle_keys`]), successful or not: each one starts a session, and one
    ///    token exchanged 4,000 times in a second once made 4,000 sessions;
    /// 3. the token is used up: the same ID token exchanged twice is refused (it is
    ///    remembered until it would expire, on every replica sharing the database);
    /// 4. the person is found by `(iss, sub)` only, once linked. A provider's `sub` is never a
    ///    warden user id (a provider subject `admin` is not warden's `admin`, and two issuers
    ///    do not share one id space), and an email the provider later reports for the same
    ///    subject never re-links it to someone else;
    /// 5. the first exchange of a person links them, by the issuer's `link_claim`: `email`
    ///    links the existing user with the verified email (`email_verified: true`; an
    ///    unverified email would let anyone who registers that address at the provider take
    ///    over the account, the classic "pre-account takeover"), unless that user is linked
    ///    to another subject of the same issuer already; `sub` links nobody automatically
    ///    (an admin links, or the exchange creates). A person with no user is refused unless
    ///    the issuer has `create_users`; a created user gets the issuer's `default_roles`, no
    ///    password, the link, and an audit row. A disabled user is refused.
    pub async fn exchange(
        self: &Arc<Self>,
        subject_token: &str,
        origin: Origin,
    ) -> Result<Issued, AuthError> {
        let exchange::VerifiedIdToken {
            issuer,
            claims,
            token_hash,
            accepted_until,
        } = self.id_tokens.verify(subject_token).await?;
        let refuse = |why: String| AuthError::ExchangeRefused(why);
        self.reserve(&exchange_throttle_keys(
            &self.config,
            &issuer.issuer,
            &claims.sub,
            &origin,
        ))
        .await?;
        if !self
            .store
            .consume_exchanged_token(&issuer.issuer, &token_hash, accepted_until)
            .await?
        {
            return Err(refuse(
                "this ID token was exchanged already; an ID token is exchanged once (get a new one from the provider)".into(),
            ));
        }
        let user = match self
            .store
            .user_by_identity(&issuer.issuer, &claims.sub)
            .await?
        {
            Some(user) => user,
            None => self.link_first_exchange(&issuer, &claims, &origin).await?,
        };
        if user.disabled {
            return Err(refuse("the user is disabled".into()));
        }
        let refresh_token = random_token(32);
        let session = self
            .store
            .create_session(
                &user.id,
                &sha256_hex(&refresh_token),
                self.config.refresh_absolute_ttl,
            )
            .await?;
        self.issue(user, session, refresh_token)
    }

    /// The first exchange of `(iss, sub)`: link the person to a warden user by the issuer's
    /// `link_claim`, or create one (see [`Accounts::exchange`]).
    pub(super) async fn link_first_exchange(
        &self,
        issuer: &crate::config::TrustedIssuer,
        claims: &exchange::IdClaims,
        origin: &Origin,
    ) -> Result<UserRow, AuthError> {
        let refuse = |why: String| AuthError::ExchangeRefused(why);
        if issuer.link_claim == crate::config::LinkClaim::Email {
            let email = claims.verified_email().ok_or_else(|| {
                refuse("the token's email is missing or not verified (email_verified)".into())
            })?;
            // The verified address must be an ASCII address as given: a Unicode look-alike
            // (`alİce@`, the Kelvin sign) names nobody here, whatever a database's own case
            // folding would say (issue 25).
            let email = Email::parse(email)
                .map_err(|e| refuse(format!("the token's verified email is not accepted: {e}")))?;
            if let Some((user, _)) = self.store.user_by_email(&email).await? {
                let linked = self.store.list_identities(&user.id).await?;
                if linked.iter().any(|l| l.issuer == issuer.issuer) {
                    // Another account at this provider is this user's already: a second one
                    // claiming the same email (a recycled address, a provider that lets
                    // users change it) is not linked automatically.
                    return Err(refuse(format!(
                        "the user with this email is linked to another account at {}; an admin can link this one",
                        issuer.issuer
                    )));
                }
                let audit = crate::store::Audit {
                    actor: format!("exchange:{}", issuer.issuer),
                    address: origin.address.to_string(),
                    action: crate::admin_action::AdminAction::UsersUpdate.name().into(),
                    target: format!("user:{}", user.id),
                    detail: serde_json::json!({
                        "change": "link",
                        "issuer": issuer.issuer,
                        "subject": claims.sub,
                        "by": "verified email",
                    }),
                };
                return match self
                    .store
                    .link_identity(&user.id, &issuer.issuer, &claims.sub, Some(&audit))
                    .await
                {
                    Ok(_) => Ok(user),
                    // A concurrent first exchange of the same person linked it meanwhile.
                    Err(StoreError::Conflict(crate::store::Conflict::IdentityLinked {
                        ..
                    })) => self
                        .store
                        .user_by_identity(&issuer.issuer, &claims.sub)
                        .await?
                        .ok_or_else(|| refuse("the identity could not be linked".into())),
                    Err(e) => Err(e.into()),
                };
            }
        }
        if issuer.create_users {
            return self.create_exchanged_user(issuer, claims, origin).await;
        }
        Err(refuse(format!(
            "no warden user is linked to this person, and {} does not create users",
            issuer.issuer
        )))
    }

    /// A user for a person first seen through the exchange, created already linked to
    /// `(iss, sub)`: a verified email is required (it becomes `principal.email`, which
    /// policies compare with resources); the id is made from the email, never the `sub`.
    pub(super) async fn create_exchanged_user(
        &self,
        issuer: &crate::config::TrustedIssuer,
        claims: &exchange::IdClaims,
        origin: &Origin,
    ) -> Result<UserRow, AuthError> {
        use crate::model::{Email, RoleName, UserId, UserName};
        let refuse = |why: String| AuthError::ExchangeRefused(why);
        let email = claims
            .verified_email()
            .ok_or_else(|| refuse("a new user needs a verified email in the token".into()))
            .and_then(|e| Email::parse(e).map_err(|e| refuse(format!("email: {e}"))))?;
        let id = UserId::from_email(&email)
            .map_err(|e| refuse(format!("cannot make a user id: {e}")))?;
        let name = claims
            .name
            .as_deref()
            .and_then(|n| UserName::parse(n).ok())
            .unwrap_or_default();
        let roles = issuer
            .default_roles
            .iter()
            .map(|r| RoleName::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| refuse(format!("default_roles: {e}")))?;
        let audit = crate::store::Audit {
            actor: format!("exchange:{}", issuer.issuer),
            address: origin.address.to_string(),
            action: crate::admin_action::AdminAction::UsersCreate.name().into(),
            target: format!("user:{id}"),
            detail: serde_json::json!({
                "email": email.as_str(),
                "roles": roles.iter().map(RoleName::as_str).collect::<Vec<_>>(),
                "password": "none",
                "by": "token exchange",
                "change": "link",
                "issuer": issuer.issuer,
                "subject": claims.sub,
            }),
        };
        let new = crate::store::NewUser {
            id,
            email,
            name,
            roles,
            password_hash: None,
        };
        match self
            .store
            .create_linked_user(&new, &issuer.issuer, &claims.sub, Some(&audit))
            .await
        {
            Ok(user) => Ok(user),
            // The id or the email is taken (the person has a user that is not linked), the
            // identity was linked meanwhile, or a role does not exist: refuse, never link to
            // someone else's account.
            Err(e @ (StoreError::Conflict(_) | StoreError::NotFound { .. })) => {
                Err(refuse(format!("cannot create the user: {e}")))
            }
            Err(e) => Err(e.into()),
        }
    }
}
