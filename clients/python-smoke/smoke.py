"""The Python client generated from `warden openapi` (openapi-python-client), used against a
real warden: sign in, a decision, a query plan, a batch of AuthZEN evaluations and a
resource search. Every answer must come back as the generated model (a plan's condition as
its typed variant), never as an unparsed dict: a schema a generator cannot read fails here.

Run by .ci/python-client.sh, which generates the client (not committed) and starts the
server: python smoke.py BASE_URL ADMIN_PASSWORD CLIENT_KEY
"""

import sys

from warden_client import AuthenticatedClient, Client
from warden_client.api.auth import login
from warden_client.api.authzen import evaluations, search_resource
from warden_client.api.decisions import authorize, authorize_plan
from warden_client.models import (
    Action,
    Authorization,
    Authorize,
    EntityRef,
    EvaluationAnswer,
    EvaluationItem,
    EvaluationsAnswer,
    EvaluationsBatch,
    ExprEq,
    ExprTrue,
    Login,
    OperandAttr,
    OperandEntity,
    Plan,
    PlanKind,
    PlanRequest,
    Resource,
    ResourceKind,
    ResourceSearch,
    ResourceSearchAnswer,
    SignedIn,
    Subject,
)


def expect(value, kind, what):
    if not isinstance(value, kind):
        sys.exit(f"{what}: expected {kind.__name__}, got {type(value).__name__}: {value!r}")
    return value


def main():
    base, password, key = sys.argv[1:4]
    public = Client(base_url=base, raise_on_unexpected_status=True)

    signed_in = expect(
        login.sync(client=public, body=Login(email="admin@localhost", password=password)),
        SignedIn,
        "sign-in",
    )
    user = AuthenticatedClient(base_url=base, token=signed_in.access_token)
    print(f"signed in as {signed_in.email} ({signed_in.id})")

    # A decision: the admin holds no USER role, and deleting a user resource is ADMIN's.
    decision = expect(
        authorize.sync(
            client=user,
            body=Authorize(
                action="deleteUserResource",
                resource=Resource(type_="UserResource", id="r1"),
            ),
        ),
        Authorization,
        "decision",
    )
    assert decision.allowed and decision.decision == "allow", decision
    print(f"decision: {decision.decision} by {decision.reasons}")

    # A plan: the documents the admin may edit are their own (owner == the admin).
    plan = expect(
        authorize_plan.sync(
            client=user,
            body=PlanRequest(action="editDocument", resource_type="Document"),
        ),
        Plan,
        "plan",
    )
    check_owner_plan(plan, signed_in.id)
    print(f"plan: {plan.kind.value}, owner == {signed_in.id}")

    service = AuthenticatedClient(base_url=base, token=key)
    admin = Subject(type_="user", id="admin@localhost")

    # A batch of AuthZEN evaluations: defaults at the top level, one item per question.
    answers = expect(
        evaluations.sync(
            client=service,
            body=EvaluationsBatch(
                subject=admin,
                resource=Resource(type_="UserResource", id="r1"),
                evaluations=[
                    EvaluationItem(action=Action(name="deleteUserResource")),
                    EvaluationItem(
                        action=Action(name="editDocument"),
                        resource=Resource(type_="Document", id="d1"),
                    ),
                ],
            ),
        ),
        EvaluationsAnswer,
        "evaluations",
    )
    decisions = [expect(a, EvaluationAnswer, "evaluation").decision for a in answers.evaluations]
    assert decisions == [True, False], decisions
    print(f"evaluations: {decisions}")

    # A resource search: no documents are held by warden, so the answer is the plan.
    found = expect(
        search_resource.sync(
            client=service,
            body=ResourceSearch(
                subject=admin,
                action=Action(name="editDocument"),
                resource=ResourceKind(type_="Document"),
            ),
        ),
        ResourceSearchAnswer,
        "resource search",
    )
    assert found.results == [] and not found.enumerated, found
    check_owner_plan(expect(found.plan, Plan, "search plan"), signed_in.id)

    # The tree's other variants parse too (always allowed: `{"op": "true"}`).
    read = authorize_plan.sync(
        client=user, body=PlanRequest(action="deleteUserResource", resource_type="UserResource")
    )
    assert read.kind == PlanKind.ALWAYS_ALLOWED, read
    expect(read.condition, ExprTrue, "an always-allowed condition")
    print("resource search: the plan, typed; python client round trip ok")


def check_owner_plan(plan, user_id):
    assert plan.kind == PlanKind.CONDITIONAL and plan.unsupported == [], plan
    condition = expect(plan.condition, ExprEq, "the condition")
    assert expect(condition.left, OperandAttr, "left").attr == "resource.owner", condition
    entity = expect(expect(condition.right, OperandEntity, "right").entity, EntityRef, "entity")
    assert (entity.type_, entity.id) == ("User", user_id), entity


if __name__ == "__main__":
    main()
