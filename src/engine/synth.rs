//! Synthetic policy sets and requests, for benchmarks and the index equivalence test.
//!
//! The policies look like a real application's: per-action and per-role rules, owner rules,
//! `when` conditions on resource and context attributes, action groups, forbids, and a
//! template linked per resource. A small deterministic PRNG keeps runs repeatable without
//! another dependency.

use super::{load_sources, LoadError, PolicyBundle, Principal, Query, Resource};
use serde_json::{json, Map, Value};

/// xorshift64*: small, fast, deterministic.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The shape of a synthetic application.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub actions: usize,
    pub roles: usize,
    pub users: usize,
    pub documents: usize,
}

impl Shape {
    /// A shape that grows with the number of policies, as a real application's would.
    pub fn for_policies(n: usize) -> Shape {
        Shape {
            actions: (n / 100).clamp(4, 100),
            roles: (n / 100).clamp(3, 100),
            users: 1000,
            documents: 1000,
        }
    }
}

fn schema_text(shape: Shape) -> String {
    let mut s = String::from(
        "entity Role in [Role];\n\
         entity User in [Role] { email: String, name: String };\n\
         entity Document { owner: User, level: Long, public: Bool };\n\
         action readers, writers;\n",
    );
    for a in 0..shape.actions {
        let group = if a % 2 == 0 { "readers" } else { "writers" };
        s.push_str(&format!(
            "action a{a} in [{group}] appliesTo {{ principal: User, resource: Document, context: {{ hour?: Long, mfa?: Bool }} }};\n"
        ));
    }
    s
}

/// `n` policies (plus a template and its links) for `shape`, with the schema, as sources
/// for [`load_sources`]: (schema, files, links).
///
/// Like a real application's: each action has one owner rule and one context forbid for
/// everyone; the rest is a roles-by-actions matrix with resource conditions, role grants on
/// action groups, per-role forbids, grants of one resource to one user, and a template
/// linked per resource.
pub fn sources(n: usize, shape: Shape, seed: u64) -> (String, Vec<(String, String)>, String) {
    let mut rng = Rng::new(seed);
    let mut text = String::new();
    let mut links = Vec::new();
    text.push_str(
        "@id(\"tpl.viewer\")\npermit(principal == ?principal, action == Action::\"a0\", resource == ?resource);\n",
    );
    let mut i = 0;
    // The rules every request of an action meets.
    for a in 0..shape.actions {
        if i + 2 > n {
            break;
        }
        text.push_str(&format!(
            "@id(\"p{i}\")\npermit(principal, action == Action::\"a{a}\", resource) when {{ resource.owner == principal }};\n"
        ));
        text.push_str(&format!(
            "@id(\"p{}\")\nforbid(principal, action == Action::\"a{a}\", resource) when {{ context has mfa && !context.mfa && resource.level > {} }};\n",
            i + 1,
            rng.below(10)
        ));
        i += 2;
    }
    while i < n {
        let a = rng.below(shape.actions);
        let r = rng.below(shape.roles);
        let policy = match rng.below(20) {
            0..=7 => format!(
                "permit(principal in Role::\"r{r}\", action == Action::\"a{a}\", resource) when {{ resource.level <= {} }};",
                rng.below(10)
            ),
            8 => format!(
                "permit(principal in Role::\"r{r}\", action in Action::\"{}\", resource) when {{ resource.public }};",
                if rng.chance(50) { "readers" } else { "writers" }
            ),
            9..=10 => format!(
                "forbid(principal in Role::\"r{r}\", action == Action::\"a{a}\", resource) when {{ context has hour && context.hour < {} }};",
                rng.below(8)
            ),
            11..=13 => format!(
                "permit(principal == User::\"u{}\", action == Action::\"a{a}\", resource == Document::\"d{}\");",
                rng.below(shape.users),
                rng.below(shape.documents)
            ),
            _ => {
                links.push(json!({
                    "template": "tpl.viewer",
                    "id": format!("link{i}"),
                    "values": {
                        "?principal": format!("User::\"u{}\"", rng.below(shape.users)),
                        "?resource": format!("Document::\"d{}\"", rng.below(shape.documents)),
                    }
                }));
                i += 1;
                continue;
            }
        };
        text.push_str(&format!("@id(\"p{i}\")\n{policy}\n"));
        i += 1;
    }
    (
        schema_text(shape),
        vec![("app.cedar".to_string(), text)],
        Value::Array(links).to_string(),
    )
}

/// Load a synthetic bundle of about `n` policies.
pub fn bundle(n: usize, seed: u64) -> Result<PolicyBundle, LoadError> {
    let shape = Shape::for_policies(n);
    let (schema, files, links) = sources(n, shape, seed);
    load_sources(Some(("schema.cedarschema", &schema)), &files, Some(&links))
}

/// A random request against a synthetic bundle of `shape`.
pub fn query(rng: &mut Rng, shape: Shape) -> Query {
    let user = rng.below(shape.users);
    let roles: Vec<String> = (0..1 + rng.below(3))
        .map(|_| format!("r{}", rng.below(shape.roles)))
        .collect();
    let mut attrs = Map::new();
    attrs.insert("email".into(), json!(format!("u{user}@example.com")));
    attrs.insert("name".into(), json!(format!("User {user}")));
    let owner = if rng.chance(30) {
        user
    } else {
        rng.below(shape.users)
    };
    let mut properties = Map::new();
    properties.insert(
        "owner".into(),
        json!({"type": "User", "id": format!("u{owner}")}),
    );
    properties.insert("level".into(), json!(rng.below(10)));
    properties.insert("public".into(), json!(rng.chance(50)));
    let mut context = Map::new();
    if rng.chance(50) {
        context.insert("hour".into(), json!(rng.below(24)));
    }
    if rng.chance(50) {
        context.insert("mfa".into(), json!(rng.chance(50)));
    }
    Query {
        principal: Principal {
            id: format!("u{user}"),
            attrs,
            role_parents: roles.iter().map(|r| (r.clone(), vec![])).collect(),
            roles,
        },
        action_type: "Action".into(),
        action: format!("a{}", rng.below(shape.actions)),
        resource: Resource {
            kind: "Document".into(),
            id: format!("d{}", rng.below(shape.documents)),
            properties,
        },
        context: Value::Object(context),
    }
}
