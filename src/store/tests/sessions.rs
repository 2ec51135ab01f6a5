//! Sessions and sign-in: refresh rotation with its grace window and reuse detection, on
//! the injected clock and under concurrent refreshes; the sign-in throttle.

use super::*;

on_both! {
async fn refresh_rotation_grace_and_reuse(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store
        .create_user(&new_user("a", "a@example.com", &[]), None)
        .await
        .unwrap();
    let limits = RefreshLimits {
        idle_secs: 3600,
        grace_secs: 10,
    };
    let s = store.create_session("a", "h0", 3600).await.unwrap();
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    // The immediate predecessor within the grace window: same successor.
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Replayed(_)
    ));
    assert!(matches!(
        store.rotate_refresh("h1", "h2", limits).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    // h0 is no longer the immediate predecessor of the live token: reuse, family revoked.
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Reused(_)
    ));
    assert!(store
        .session(&s.id)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    assert!(matches!(
        store.rotate_refresh("h2", "h3", limits).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
    assert_eq!(
        store
            .list_audit(None, Some("sessions.revoke"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.rotate_refresh("unknown", "x", limits).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
}
}

on_both! {
/// Windows follow the store's clock: an idle session, an absolute lifetime and the refresh
/// grace window are tested by moving a manual clock, never by sleeping.
async fn lifetimes_and_the_grace_window_follow_the_injected_clock(kind) {
    let clock = crate::clock::ManualClock::at_ms(1_800_000_000_000);
    let Some((_d, store)) = open_at(kind, clock.clone()).await else { return };
    store
        .create_user(&new_user("a", "a@example.com", &[]), None)
        .await
        .unwrap();
    let limits = RefreshLimits {
        idle_secs: 60,
        grace_secs: 10,
    };
    // Rows are stamped with the clock's time.
    let s = store.create_session("a", "h0", 3600).await.unwrap();
    assert_eq!(s.created_at, 1_800_000_000);
    assert_eq!(s.expires_at, 1_800_000_000 + 3600);
    // Within the idle window the token rotates; a replay inside the grace window is answered
    // with the same successor, one second past it is a reuse.
    clock.advance_ms(59_000);
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    clock.advance_ms(10_000);
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Replayed(_)
    ));
    clock.advance_ms(1_000);
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Reused(_)
    ));
    // A new session left idle for the whole window is dead, with no sleeping.
    store.create_session("a", "k0", 3600).await.unwrap();
    clock.advance_ms(60_000);
    assert!(matches!(
        store.rotate_refresh("k0", "k1", limits).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
    // And the absolute lifetime never slides.
    let long = RefreshLimits {
        idle_secs: 1_000_000,
        grace_secs: 10,
    };
    store.create_session("a", "m0", 100).await.unwrap();
    clock.advance_ms(50_000);
    assert!(matches!(
        store.rotate_refresh("m0", "m1", long).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    clock.advance_ms(50_000);
    assert!(matches!(
        store.rotate_refresh("m1", "m2", long).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
}
}

on_both! {
/// 16 concurrent refreshes of one token, over two handles on one database (two replicas):
/// exactly one rotates it; the others get the same successor (within the grace window).
async fn concurrent_refreshes_give_one_successor(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    let other = open_again(kind, &dir, &store).await;
    store
        .create_user(&new_user("a", "a@example.com", &[]), None)
        .await
        .unwrap();
    store.create_session("a", "h0", 3600).await.unwrap();
    let limits = RefreshLimits {
        idle_secs: 3600,
        grace_secs: 10,
    };
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let s = if i % 2 == 0 { store.clone() } else { other.clone() };
            tokio::spawn(async move { s.rotate_refresh("h0", "h1", limits).await.unwrap() })
        })
        .collect();
    let mut rotated = 0;
    for t in tasks {
        match t.await.unwrap() {
            RefreshOutcome::Rotated(_) => rotated += 1,
            RefreshOutcome::Replayed(_) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(rotated, 1);
    assert!(store.session_of_refresh("h1").await.unwrap().is_some());
}
}

on_both! {
/// A 50-way burst of sign-in attempts over two handles charges at most the limit.
async fn throttle_burst_grants_at_most_the_limit(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    let other = open_again(kind, &dir, &store).await;
    let keys = vec![
        ThrottleKey {
            scope: "account",
            account: "a@example.com".into(),
            address: String::new(),
            limit: 5,
        },
        ThrottleKey {
            scope: "address",
            account: String::new(),
            address: "127.0.0.1".into(),
            limit: 100,
        },
    ];
    let now = 1_800_000_000_000;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let s = if i % 2 == 0 { store.clone() } else { other.clone() };
            let keys = keys.clone();
            tokio::spawn(async move { s.reserve_login(&keys, 60_000, now).await.unwrap() })
        })
        .collect();
    let mut granted = 0;
    for t in tasks {
        if t.await.unwrap() == Reservation::Granted {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(
        store.account_failures("a@example.com", 60_000, now).await.unwrap(),
        5
    );
    // The window ends: a new attempt is granted and starts a new window.
    assert_eq!(
        store.reserve_login(&keys, 60_000, now + 60_001).await.unwrap(),
        Reservation::Granted
    );
    store.login_succeeded(&keys).await.unwrap();
    assert_eq!(
        store.account_failures("a@example.com", 60_000, now + 60_001).await.unwrap(),
        0
    );
}
}
