//! Users, API keys, sessions, grants and access requests on both back ends (see `support`): the
//! role rules, tokens stored only as digests and never shown again, authentication and why it
//! fails, the sharing workflow, and every change audited in an intact chain.

mod support;

use std::time::{Duration, Instant};

use ecolake_registry::{
    AuthError, Dataset, DatasetSource, Department, Enterprise, GranteeKind, NewKey, NewUser,
    Password, Principal, PrincipalKind, Registry, RegistryError, RequestStatus, Role, Scope,
    Scopes, SharingTier,
};
use support::on_both;

/// An enterprise's credit code (valid check character).
const ENTERPRISE: &str = "91110000600001760P";
const PASSWORD: &str = "correct horse battery";

fn reason<T: std::fmt::Debug>(r: Result<T, RegistryError>) -> String {
    match r {
        Err(RegistryError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn user(name: &str, role: Role) -> NewUser {
    NewUser {
        name: name.into(),
        password: Password::new(PASSWORD),
        role,
        enterprise: None,
        department: None,
    }
}

fn key(name: &str, role: Role) -> NewKey {
    NewKey {
        name: name.into(),
        role: Some(role),
        ..NewKey::default()
    }
}

async fn setup(registry: &Registry) {
    for code in ["emc", "water"] {
        let d = Department {
            code: code.into(),
            name: code.into(),
            name_en: None,
        };
        registry.put_department("loader", &d).await.unwrap();
    }
    registry
        .put_enterprise("loader", &Enterprise::new(ENTERPRISE, "热电厂"))
        .await
        .unwrap();
    for (name, tier) in [
        ("air_open", SharingTier::Open),
        ("air_shared", SharingTier::Conditional),
        ("water_shared", SharingTier::Conditional),
        ("air_secret", SharingTier::Restricted),
    ] {
        let d = Dataset::new(name, "数据", "emc", DatasetSource::Observations, tier);
        registry.put_dataset("loader", &d).await.unwrap();
    }
}

async fn principal(registry: &Registry, token: &str) -> Principal {
    registry.authenticate(token).await.unwrap().unwrap()
}

#[tokio::test]
async fn users_follow_the_role_rules_and_log_in() {
    on_both("users", |registry| async move {
        setup(&registry).await;
        assert!(!registry.has_admin().await.unwrap());
        let mut u = user("alice", Role::Analyst);
        u.department = Some("emc".into());
        let alice = registry.create_user("admin", &u).await.unwrap();
        assert_eq!((alice.role, alice.disabled), (Role::Analyst, false));
        assert_eq!(registry.user("alice").await.unwrap(), Some(alice.clone()));

        // The rules, each refused with its reason.
        let e = reason(registry.create_user("admin", &u).await);
        assert!(e.contains("already exists"), "{e}");
        let e = reason(
            registry
                .create_user("admin", &user("p", Role::Public))
                .await,
        );
        assert!(e.contains("public"), "{e}");
        let e = reason(
            registry
                .create_user("admin", &user("e", Role::Enterprise))
                .await,
        );
        assert!(e.contains("needs the enterprise"), "{e}");
        let mut bad = user("e", Role::Enterprise);
        bad.enterprise = Some("91110000000000000X".into());
        let e = reason(registry.create_user("admin", &bad).await);
        assert!(e.contains("not in the registry"), "{e}");
        let mut bad = user("a2", Role::Analyst);
        bad.enterprise = Some(ENTERPRISE.into());
        let e = reason(registry.create_user("admin", &bad).await);
        assert!(e.contains("names no enterprise"), "{e}");
        let mut bad = user("a3", Role::Analyst);
        bad.department = Some("nowhere".into());
        assert!(reason(registry.create_user("admin", &bad).await).contains("nowhere"));
        let mut bad = user("a4", Role::Analyst);
        bad.password = Password::new("short-pw");
        let e = reason(registry.create_user("admin", &bad).await);
        assert!(e.contains("at least 12") && !e.contains("short-pw"), "{e}");
        assert!(reason(
            registry
                .create_user("admin", &user("bad name", Role::Admin))
                .await
        )
        .contains("user name"));
        let mut plant = user("plant", Role::Enterprise);
        plant.enterprise = Some(ENTERPRISE.into());
        registry.create_user("admin", &plant).await.unwrap();
        assert_eq!(registry.users().await.unwrap().len(), 2);
        assert!(!format!("{u:?}").contains(PASSWORD));

        // Logging in: a session token, which authenticates as the user.
        let ttl = Duration::from_secs(3600);
        let (who, token, expires) = registry
            .login("alice", PASSWORD, ttl)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(who, alice);
        assert!(token.starts_with("els_") && token.len() == 47, "{token}");
        assert!(expires > chrono::Utc::now().timestamp_millis() + 3_500_000);
        let p = principal(&registry, &token).await;
        assert_eq!(
            (p.kind, p.id.as_str(), p.user.as_deref()),
            (PrincipalKind::User, "alice", Some("alice"))
        );
        assert_eq!(p.department.as_deref(), Some("emc"));
        assert_eq!(p.scopes, Scopes::default_for(Role::Analyst));
        assert_eq!(p.actor(), "user:alice");
        assert!(registry
            .login("alice", "wrong password!", ttl)
            .await
            .unwrap()
            .is_none());
        assert!(registry
            .login("nobody", PASSWORD, ttl)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            registry.authenticate("els_nothing").await.unwrap(),
            Err(AuthError::Invalid)
        );

        // A new password ends the sessions; the old one fails.
        registry
            .set_password("admin", "alice", &Password::new("another long password"))
            .await
            .unwrap();
        assert_eq!(
            registry.authenticate(&token).await.unwrap(),
            Err(AuthError::Invalid)
        );
        assert!(registry
            .login("alice", PASSWORD, ttl)
            .await
            .unwrap()
            .is_none());
        let (_, token, _) = registry
            .login("alice", "another long password", ttl)
            .await
            .unwrap()
            .unwrap();
        assert!(registry.logout(&token).await.unwrap());
        assert!(!registry.logout(&token).await.unwrap());
        assert_eq!(
            registry.authenticate(&token).await.unwrap(),
            Err(AuthError::Invalid)
        );

        // Disabled: no login, sessions gone; enabled again: logs in.
        let (_, token, _) = registry
            .login("alice", "another long password", ttl)
            .await
            .unwrap()
            .unwrap();
        let off = registry
            .set_user_disabled("admin", "alice", true)
            .await
            .unwrap();
        assert!(off.disabled);
        assert_eq!(
            registry.authenticate(&token).await.unwrap(),
            Err(AuthError::Invalid)
        );
        assert!(registry
            .login("alice", "another long password", ttl)
            .await
            .unwrap()
            .is_none());
        registry
            .set_user_disabled("admin", "alice", false)
            .await
            .unwrap();
        assert!(registry
            .login("alice", "another long password", ttl)
            .await
            .unwrap()
            .is_some());

        // A session past its end fails as expired.
        let (_, token, _) = registry
            .login("plant", PASSWORD, Duration::from_millis(1))
            .await
            .unwrap()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match registry.authenticate(&token).await.unwrap() {
                Err(AuthError::Expired) => break,
                Ok(_) => assert!(Instant::now() < deadline, "the session never expired"),
                Err(e) => panic!("{e}"),
            }
        }

        // The audit log: every change, never a password or its hash.
        let log = registry.audit_log().await.unwrap();
        let users: Vec<_> = log.iter().filter(|r| r.entity == "users").collect();
        let actions: Vec<&str> = users.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            ["insert", "insert", "set_password", "disable", "enable"]
        );
        for r in &log {
            let text = format!("{r:?}");
            assert!(
                !text.contains(PASSWORD) && !text.contains("argon2"),
                "{text}"
            );
        }
        assert!(registry.verify_audit().await.unwrap().is_intact());
    })
    .await;
}

#[tokio::test]
async fn keys_are_shown_once_and_authenticate_until_revoked_or_expired() {
    on_both("keys", |registry| async move {
        setup(&registry).await;
        // The bootstrap: a key whose token is given.
        let e = reason(
            registry
                .create_key_with_token("bootstrap", &key("root", Role::Admin), "too-short")
                .await,
        );
        assert!(e.contains("32 to 256") && !e.contains("too-short"), "{e}");
        let boot = "b".repeat(40);
        let root = registry
            .create_key_with_token("bootstrap", &key("root", Role::Admin), &boot)
            .await
            .unwrap();
        assert!(registry.has_admin().await.unwrap());
        assert!(reason(
            registry
                .create_key_with_token("bootstrap", &key("again", Role::Admin), &boot)
                .await
        )
        .contains("already another key's"));
        let p = principal(&registry, &boot).await;
        assert_eq!((p.kind, p.role), (PrincipalKind::Key, Role::Admin));
        assert_eq!(p.id, root.id);
        assert_eq!(p.user, None);

        // A generated key: `elk_` + 43 characters; the id `k` + 12 hex digits.
        let mut analyst = key("dashboard", Role::Analyst);
        analyst.department = Some("water".into());
        analyst.rate_per_min = Some(30);
        let (k, token) = registry.create_key(&root.id, &analyst).await.unwrap();
        assert!(token.starts_with("elk_") && token.len() == 47, "{token}");
        assert!(k.id.len() == 13 && k.id.starts_with('k'), "{}", k.id);
        assert_eq!(k.scopes, Scopes::default_for(Role::Analyst));
        assert_eq!(k.created_by, root.id);
        let p = principal(&registry, &token).await;
        assert_eq!(
            (
                p.role,
                p.department.as_deref(),
                p.rate_per_min,
                p.rate_per_hour
            ),
            (Role::Analyst, Some("water"), Some(30), None)
        );
        assert!(p.scopes.contains(Scope::Sql) && !p.scopes.contains(Scope::Ingest));
        let used = registry.key(&k.id).await.unwrap().unwrap().last_used_ms;
        assert!(used.is_some());
        assert_eq!(
            registry.authenticate("elk_not-a-key").await.unwrap(),
            Err(AuthError::Invalid)
        );

        // The rules.
        let mut too_much = key("x", Role::Analyst);
        too_much.scopes = Some("read;admin".parse().unwrap());
        assert!(reason(registry.create_key("a", &too_much).await).contains("at most `read;sql`"));
        let mut past = key("x", Role::Analyst);
        past.expires_ms = Some(1);
        assert!(reason(registry.create_key("a", &past).await).contains("not in the future"));
        assert!(reason(registry.create_key("a", &key("x", Role::Public)).await).contains("public"));
        let mut plant = key("plant", Role::Enterprise);
        assert!(reason(registry.create_key("a", &plant).await).contains("enterprise"));
        plant.enterprise = Some(ENTERPRISE.into());
        plant.scopes = Some("ingest".parse().unwrap());
        let (_, plant_token) = registry.create_key("a", &plant).await.unwrap();
        let p = principal(&registry, &plant_token).await;
        assert_eq!(p.enterprise.as_deref(), Some(ENTERPRISE));
        assert_eq!(p.scopes, Scopes::of(&[Scope::Ingest]));
        let no_role = NewKey {
            name: "x".into(),
            ..NewKey::default()
        };
        assert!(reason(registry.create_key("a", &no_role).await).contains("role"));

        // A user's key: the user's role, and fails while the user is disabled.
        let mut bob = user("bob", Role::Operator);
        bob.department = Some("emc".into());
        registry.create_user("a", &bob).await.unwrap();
        let mut of_bob = NewKey {
            name: "bob's script".into(),
            user: Some("bob".into()),
            role: Some(Role::Admin),
            ..NewKey::default()
        };
        assert!(reason(registry.create_key("a", &of_bob).await).contains("user's role"));
        of_bob.role = None;
        of_bob.scopes = Some("read".parse().unwrap());
        let (bk, bob_token) = registry.create_key("a", &of_bob).await.unwrap();
        assert_eq!((bk.role, bk.user.as_deref()), (Role::Operator, Some("bob")));
        let p = principal(&registry, &bob_token).await;
        assert_eq!(
            (p.kind, p.id.as_str(), p.user.as_deref(), p.role),
            (
                PrincipalKind::Key,
                bk.id.as_str(),
                Some("bob"),
                Role::Operator
            )
        );
        assert_eq!(
            (p.department.as_deref(), p.scopes.to_string()),
            (Some("emc"), "read".into())
        );
        registry.set_user_disabled("a", "bob", true).await.unwrap();
        assert_eq!(
            registry.authenticate(&bob_token).await.unwrap(),
            Err(AuthError::Disabled)
        );

        // Revoked, expired.
        let revoked = registry.revoke_key("a", &k.id).await.unwrap();
        assert!(revoked.revoked_ms.is_some());
        assert_eq!(registry.revoke_key("a", &k.id).await.unwrap(), revoked);
        assert_eq!(
            registry.authenticate(&token).await.unwrap(),
            Err(AuthError::Revoked)
        );
        assert!(reason(registry.revoke_key("a", "k000000000000").await).starts_with("no key"));
        let mut brief = key("brief", Role::Analyst);
        brief.expires_ms = Some(chrono::Utc::now().timestamp_millis() + 300);
        let (_, brief_token) = registry.create_key("a", &brief).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match registry.authenticate(&brief_token).await.unwrap() {
                Err(AuthError::Expired) => break,
                Ok(_) => assert!(Instant::now() < deadline, "the key never expired"),
                Err(e) => panic!("{e}"),
            }
        }
        registry.revoke_key("a", &root.id).await.unwrap();
        assert!(!registry.has_admin().await.unwrap());

        // Listings and the audit log hold no token and no digest.
        let keys = registry.keys().await.unwrap();
        assert_eq!(keys.len(), 5);
        let listed = serde_json::to_string(&keys).unwrap();
        let log = format!("{:?}", registry.audit_log().await.unwrap());
        for t in [&boot, &token, &plant_token, &bob_token] {
            let digest = sha256_hex(t);
            for text in [&listed, &log] {
                assert!(!text.contains(t.as_str()) && !text.contains(&digest));
            }
        }
        assert_eq!(AuthError::Revoked.to_string(), "the API key was revoked");
        assert!(registry.verify_audit().await.unwrap().is_intact());
    })
    .await;
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

#[tokio::test]
async fn grants_and_access_requests_share_conditional_datasets() {
    on_both("grants", |registry| async move {
        setup(&registry).await;
        let mut carol = user("carol", Role::Analyst);
        carol.department = Some("water".into());
        registry.create_user("admin", &carol).await.unwrap();
        let mut of_carol = key("carol's", Role::Analyst);
        of_carol.role = None;
        of_carol.user = Some("carol".into());
        let (_, carol_token) = registry.create_key("admin", &of_carol).await.unwrap();
        let carol = principal(&registry, &carol_token).await;
        let (lone, lone_token) = registry
            .create_key("admin", &key("lone", Role::Analyst))
            .await
            .unwrap();
        let lone_p = principal(&registry, &lone_token).await;
        let now = chrono::Utc::now().timestamp_millis();
        assert!(registry
            .granted_datasets(&carol, now)
            .await
            .unwrap()
            .is_empty());

        // Only conditional datasets are requested and granted.
        for (dataset, why) in [
            ("air_open", "needs no grant"),
            ("air_secret", "restricted"),
            ("nothing", "no dataset nothing in the catalog"),
        ] {
            let e = reason(registry.request_access(&carol, dataset, "study").await);
            assert!(e.contains(why), "{e}");
            let e = reason(
                registry
                    .grant("admin", dataset, "user", "carol", None)
                    .await,
            );
            assert!(e.contains(why), "{e}");
        }
        assert!(
            reason(registry.request_access(&carol, "air_shared", "  ").await).contains("purpose")
        );
        assert!(reason(
            registry
                .grant("admin", "air_shared", "team", "x", None)
                .await
        )
        .contains("grantee kind"));
        assert!(reason(
            registry
                .grant("admin", "air_shared", "user", "nobody", None)
                .await
        )
        .contains("no user nobody in the registry"));

        // A request of a user's key is the user's; approved until a time, it grants the user.
        let req = registry
            .request_access(&carol, "air_shared", "flood study")
            .await
            .unwrap();
        assert_eq!(
            (req.requester_kind, req.requester.as_str(), req.status),
            (GranteeKind::User, "carol", RequestStatus::Pending)
        );
        assert!(
            reason(registry.request_access(&carol, "air_shared", "again").await)
                .contains("pending")
        );
        assert_eq!(
            registry.access_requests(Some("pending")).await.unwrap(),
            std::slice::from_ref(&req)
        );
        assert!(reason(registry.access_requests(Some("maybe")).await).contains("status"));
        let until = now + 86_400_000;
        let done = registry
            .decide_access("boss", req.id, true, Some(until), Some("ok for 1 day"))
            .await
            .unwrap();
        assert_eq!(done.status, RequestStatus::Approved);
        assert_eq!(done.decided_by.as_deref(), Some("boss"));
        let grant_id = done.grant_id.unwrap();
        assert!(reason(
            registry
                .decide_access("boss", req.id, false, None, None)
                .await
        )
        .contains("already approved"));
        let grants = registry.grants().await.unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(
            (grants[0].principal_kind, grants[0].principal.as_str()),
            (GranteeKind::User, "carol")
        );
        assert_eq!(
            (grants[0].expires_ms, grants[0].request_id),
            (Some(until), Some(req.id))
        );
        assert_eq!(
            registry.granted_datasets(&carol, now).await.unwrap(),
            ["air_shared"]
        );
        assert!(registry
            .granted_datasets(&carol, until)
            .await
            .unwrap()
            .is_empty());
        assert!(registry
            .granted_datasets(&lone_p, now)
            .await
            .unwrap()
            .is_empty());

        // A key of no user requests as the key; a rejection grants nothing.
        let req = registry
            .request_access(&lone_p, "water_shared", "dashboard")
            .await
            .unwrap();
        assert_eq!(
            (req.requester_kind, req.requester.as_str()),
            (GranteeKind::Key, lone.id.as_str())
        );
        let done = registry
            .decide_access("boss", req.id, false, None, Some("no"))
            .await
            .unwrap();
        assert_eq!(
            (done.status, done.grant_id),
            (RequestStatus::Rejected, None)
        );
        assert!(registry
            .granted_datasets(&lone_p, now)
            .await
            .unwrap()
            .is_empty());
        registry
            .grant("boss", "water_shared", "key", &lone.id, None)
            .await
            .unwrap();
        assert_eq!(
            registry.granted_datasets(&lone_p, now).await.unwrap(),
            ["water_shared"]
        );

        // A department request grants the department: every member.
        let req = registry
            .request_department_access(&carol, "water_shared", "the department's reports")
            .await
            .unwrap();
        assert_eq!(req.department.as_deref(), Some("water"));
        assert!(reason(
            registry
                .request_department_access(&lone_p, "air_shared", "x")
                .await
        )
        .contains("no department"));
        registry
            .decide_access("boss", req.id, true, None, None)
            .await
            .unwrap();
        assert_eq!(
            registry.granted_datasets(&carol, now).await.unwrap(),
            ["air_shared", "water_shared"]
        );

        // Revoked, or the dataset no longer conditional: no longer granted.
        registry.revoke_grant("boss", grant_id).await.unwrap();
        assert_eq!(
            registry.granted_datasets(&carol, now).await.unwrap(),
            ["water_shared"]
        );
        let mut d = registry.dataset("water_shared").await.unwrap().unwrap();
        d.tier = SharingTier::Restricted;
        registry.put_dataset("loader", &d).await.unwrap();
        assert!(registry
            .granted_datasets(&carol, now)
            .await
            .unwrap()
            .is_empty());
        assert!(reason(registry.revoke_grant("boss", 99).await).starts_with("no grant 99"));

        let log = registry.audit_log().await.unwrap();
        let of = |entity: &str| -> Vec<String> {
            log.iter()
                .filter(|r| r.entity == entity)
                .map(|r| format!("{} {}", r.entity_key, r.action))
                .collect()
        };
        assert_eq!(
            of("access_requests"),
            [
                "1 insert",
                "1 approve",
                "2 insert",
                "2 reject",
                "3 insert",
                "3 approve"
            ]
        );
        assert_eq!(
            of("grants"),
            ["1 insert", "2 insert", "3 insert", "1 revoke"]
        );
        let request = log.iter().find(|r| r.entity == "access_requests").unwrap();
        assert_eq!(request.actor, carol.actor());
        assert!(registry.verify_audit().await.unwrap().is_intact());
    })
    .await;
}
