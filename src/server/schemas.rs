//! Schema references for the route table: how a route names its body and answers in the
//! OpenAPI document ([`super::openapi`] assembles the document from the table).

use std::collections::BTreeMap;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::ToSchema;

/// The component schemas of the document, by name.
pub type Schemas = BTreeMap<String, RefOr<Schema>>;

/// `T`, registered with the schemas it refers to; a reference to it.
pub fn one<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    schemas.extend(nested);
    let name = T::name().into_owned();
    schemas.insert(name.clone(), T::schema());
    Ref::from_schema_name(name).into()
}

/// `T`, which refers to a query plan's condition tree. The tree refers to itself, so its
/// derive does not register it (that would recurse for ever): registered here, with the
/// operands it uses.
pub fn with_plan<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    use crate::plan::{EntityRef, Expr, Operand};
    schemas.insert(
        "Expr".to_string(),
        <Expr as utoipa::PartialSchema>::schema(),
    );
    one::<Operand>(schemas);
    one::<EntityRef>(schemas);
    one::<T>(schemas)
}

/// `POST /access/v1/evaluations`'s body, with the item schema its batch form refers to
/// (`super::doc_shape` splits it into its two forms).
pub fn evaluations(schemas: &mut Schemas) -> RefOr<Schema> {
    one::<crate::api::EvaluationItem>(schemas);
    one::<crate::api::Evaluations>(schemas)
}

/// A JSON array of `T`.
pub fn list<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    ArrayBuilder::new().items(one::<T>(schemas)).into()
}

/// Either `A` or `B`.
pub fn any_of<A: ToSchema, B: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(one::<A>(schemas))
        .item(one::<B>(schemas))
        .into()
}

/// Any JSON object.
pub fn object(_: &mut Schemas) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Object).into()
}
