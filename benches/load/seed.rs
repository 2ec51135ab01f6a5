use super::*;

/// A directory user of the load: its id, roles and access token.
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) roles: Vec<String>,
    pub(crate) token: String,
}

/// A document of the load, with the attributes its policies look at.
pub(crate) struct Document {
    pub(crate) id: String,
    pub(crate) owner: usize,
    pub(crate) level: usize,
    pub(crate) public: bool,
}

/// One drawn request: who, what, on which document, in which context.
pub(crate) struct Drawn {
    pub(crate) user: usize,
    pub(crate) action: String,
    pub(crate) document: usize,
    pub(crate) context: Value,
}

/// A request as sent: the Authorization header (if any) and the body.
#[derive(Clone)]
pub(crate) struct Sent {
    pub(crate) auth: Option<String>,
    pub(crate) body: String,
}

/// The load's admin (role ADMIN, the load password): it signs in and makes the admin writes.
pub(crate) const ADMIN_EMAIL: &str = "load-admin@example.com";

/// The issuer every warden of the run is configured with (`WARDEN_PUBLIC_URL`).
pub(crate) const ISSUER: &str = "http://warden.load.test";

pub(crate) fn write_policies(dir: &Path, schema: &str, files: &[(String, String)], links: &str) {
    std::fs::create_dir_all(dir).expect("policy dir");
    std::fs::write(dir.join("schema.cedarschema"), schema).expect("schema");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("policies");
    }
    std::fs::write(dir.join("links.json"), links).expect("links");
}

/// The documents: owners, levels and public flags drawn once.
pub(crate) fn documents(count: usize, users: usize) -> Vec<Document> {
    let mut rng = Rng::new(11);
    (0..count)
        .map(|d| Document {
            id: format!("d{d}"),
            owner: rng.below(users),
            level: rng.below(10),
            public: rng.chance(50),
        })
        .collect()
}

/// Roles and `users` users (u0 may sign in), in one transaction.
pub(crate) fn seed_directory(db: &Path, users: usize, shape: Shape) -> Vec<User> {
    let store = warden::store::Store::open(db).expect("store");
    drop(store);
    let mut conn = rusqlite::Connection::open(db).expect("sqlite");
    let tx = conn.transaction().expect("tx");
    let now = warden::util::now();
    for r in (0..shape.roles)
        .map(|r| format!("r{r}"))
        .chain(["USER".to_string(), "ADMIN".to_string()])
    {
        tx.execute(
            "INSERT INTO roles (name, created_at) VALUES (?1, ?2)",
            rusqlite::params![r, now],
        )
        .expect("role");
    }
    let hash = warden::accounts::password::hash("load-password-123").expect("hash");
    let mut rng = Rng::new(5);
    let mut list = Vec::new();
    for u in 0..users {
        let id = format!("u{u}");
        tx.execute(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            rusqlite::params![id, format!("u{u}@example.com"), format!("User {u}"), if u == 0 { Some(&hash) } else { None }, now],
        )
        .expect("user");
        let mut roles = Vec::new();
        for role in [rng.below(shape.roles), rng.below(shape.roles)] {
            let name = format!("r{role}");
            if !roles.contains(&name) {
                tx.execute(
                    "INSERT INTO user_roles (user_id, role, position) VALUES (?1, ?2, ?3)",
                    rusqlite::params![id, name, roles.len() as i64],
                )
                .expect("user role");
                roles.push(name);
            }
        }
        list.push(User {
            id,
            roles,
            token: String::new(),
        });
    }
    // The load's admin, apart from the drawn users.
    tx.execute(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('load-admin', ?1, 'Load admin', ?2, ?3, ?3)",
        rusqlite::params![ADMIN_EMAIL, hash, now],
    )
    .expect("admin");
    tx.execute(
        "INSERT INTO user_roles (user_id, role, position) VALUES ('load-admin', 'ADMIN', 0)",
        [],
    )
    .expect("admin role");
    tx.commit().expect("commit");
    list
}

/// Sign u0 in through the API (the real path), then mint a token for every other user on a
/// session of its own, with the server's keys and issuer; and create a service client.
/// Returns the client's key.
pub(crate) fn issue_credentials(db: &Path, warden_url: &str, users: &mut [User]) -> String {
    let login = post(
        &agent(),
        &format!("{warden_url}/v1/auth/login"),
        &json!({"email": "u0@example.com", "password": "load-password-123"}),
    );
    users[0].token = login["token"].as_str().expect("signed in").to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = warden::store::Store::open(db).expect("store");
        let config = warden::config::Config {
            public_url: ISSUER.to_string(),
            access_token_ttl: 7200,
            ..Default::default()
        };
        let tokens = warden::tokens::Tokens::new(&store, &config)
            .await
            .expect("keys");
        for (i, user) in users.iter_mut().enumerate().skip(1) {
            let session = store
                .create_session(&user.id, &format!("load-refresh-{i}"), 7200)
                .await
                .expect("session");
            user.token = tokens
                .mint(
                    &user.id,
                    &format!("{}@example.com", user.id),
                    &user.roles,
                    &session.id,
                )
                .expect("mint")
                .0;
        }
        store.create_client("load", None).await.expect("client").1
    })
}
