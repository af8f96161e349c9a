#!/usr/bin/env python3
"""Writes examples/policy-fixture.jsonl: a small shop's pipeline in which some runs break the rules of the
built-in policy pack on purpose (see docs/policies.md, "A worked example"). Run it after editing; the
policy tests assert every finding `custody check` makes of it."""
import json, pathlib

PRODUCER = "https://airflow.example.com/openlineage"
RUN_FACET = "https://custody.example/spec/facets/1-0-0/ProcessingRunFacet.json"
DATA_FACET = "https://custody.example/spec/facets/1-0-0/PersonalDataDatasetFacet.json"
RUN_EVENT = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
CRM, CLINIC = "postgres://crm-db:5432", "postgres://clinic-db:5432"
events = []

def dataset(namespace, name, **personal):
    entry = {"namespace": namespace, "name": name}
    if personal:
        entry["facets"] = {"custody_personalData": {"_producer": PRODUCER, "_schemaURL": DATA_FACET, **personal}}
    return entry

def run(number, job, time, processing, inputs=(), outputs=(), event_type="COMPLETE"):
    events.append({
        "eventType": event_type, "eventTime": f"2026-03-02T{time}:00Z", "producer": PRODUCER, "schemaURL": RUN_EVENT,
        "run": {"runId": f"0193b0c1-0000-7000-8000-{number:012d}",
                "facets": {"custody_processing": {"_producer": PRODUCER, "_schemaURL": RUN_FACET, **processing}}},
        "job": {"namespace": "shop", "name": job}, "inputs": list(inputs), "outputs": list(outputs)})

customers = dataset(CRM, "crm.customers")
shop = {"name": "Example Shop GmbH", "country": "DE"}

# Collections.
run(1, "signup", "08:00", {"operation": "collect", "purposes": ["essential.service", "essential.customer_support"], "legalBasis": "contract", "controller": shop,
    "source": {"type": "data_subject", "name": "web shop sign-up"}},
    outputs=[dataset(CRM, "crm.customers", location="DE", categories=["user.contact.email", "user.name"],
                     subjectTypes=["customer"], subjects=["alice@example.com", "bob@example.com", "carol@example.com"])])
run(2, "buy_leads", "08:10", {"operation": "collect", "purposes": ["marketing"], "legalBasis": "legitimate_interests", "controller": shop,
    "source": {"type": "third_party"}},  # third-party-source: the broker is not named
    outputs=[dataset(CRM, "crm.leads", location="DE", categories=["user.contact.email"], subjects=["dave@example.com"])])
run(3, "health_intake", "08:20", {"operation": "collect", "purposes": ["essential.service"], "legalBasis": "consent",
    "specialCategoryCondition": "explicit_consent", "controller": shop, "source": {"type": "data_subject"}},
    outputs=[dataset(CLINIC, "clinic.intake", location="DE", categories=["user.health_and_medical"], subjects=["alice@example.com"])])
run(4, "background_check", "08:30", {"operation": "collect", "purposes": ["hr"], "legalBasis": "legal_obligation", "controller": shop,
    "source": {"type": "public", "name": "court register"}},  # criminal-data-authorisation: none named
    outputs=[dataset(CRM, "hr.screening", location="DE", categories=["user.criminal.conviction"], subjects=["frank@example.com"])])

# Special categories downstream.
run(5, "risk_score", "09:00", {"purposes": ["essential.service"], "legalBasis": "contract"},  # special-category-condition: none
    inputs=[dataset(CLINIC, "clinic.intake")], outputs=[dataset(CLINIC, "clinic.risk", location="DE")])
run(6, "triage", "09:10", {"operation": "decide", "purposes": ["essential.service"], "legalBasis": "contract",
    "specialCategoryCondition": "health_social_care",  # automated-decision-special-category: not explicit consent
    "automatedDecision": {"logic": "risk score above 0.8", "significance": "appointment priority"}},
    inputs=[dataset(CLINIC, "clinic.risk")], outputs=[dataset(CLINIC, "clinic.decisions", location="DE")])

# Transfers.
run(7, "export_audience", "10:00", {"operation": "transfer", "purposes": ["marketing.advertising"], "legalBasis": "consent",
    "recipient": {"name": "AdCo Inc", "role": "processor", "country": "US", "dpfCertified": False},
    "transferMechanism": {"type": "scc_commission", "tiaRef": "TIA-2026-004"}},  # info: Art. 46 with its assessment
    inputs=[customers], outputs=[dataset("s3://adco-us", "audience/2026-03-02", location="US")])
run(8, "support_offshore", "10:10", {"operation": "transfer", "purposes": ["essential.customer_support"], "legalBasis": "contract",
    "recipient": {"name": "Bangalore Support Pvt Ltd", "role": "processor", "country": "IN"},
    "transferMechanism": "scc_commission"},  # transfer-basis violation: no impact assessment
    inputs=[customers], outputs=[dataset("s3://support-in", "tickets", location="IN")])
run(9, "backup_us", "10:20", {"operation": "copy", "purposes": ["essential.service"], "legalBasis": "contract"},
    inputs=[customers], outputs=[dataset("s3://backup", "crm/customers", location="aws:us-east-1")])  # violation: no basis, no recipient
run(10, "mirror_uk", "10:30", {"operation": "copy", "purposes": ["essential.service"], "legalBasis": "contract"},
    inputs=[customers], outputs=[dataset("s3://mirror-uk", "crm/customers", location="GB")])  # info: adequacy
run(11, "court_disclosure", "10:40", {"operation": "transfer", "purposes": ["legal.claims"], "legalBasis": "legal_obligation",
    "recipient": {"name": "Mumbai High Court", "role": "public_authority", "country": "IN"},
    "transferMechanism": "derogation:legal_claims"},  # warning: Art. 49 derogation
    inputs=[customers], outputs=[dataset("s3://legal", "court/2026-03", location="DE")])
run(12, "patent_filing", "10:50", {"operation": "transfer", "purposes": ["legal.claims"], "legalBasis": "legal_obligation",
    "recipient": {"name": "European Patent Office", "role": "controller", "internationalOrganisation": "EPO"}},  # info: EPO adequacy
    inputs=[customers], outputs=[dataset("s3://legal", "epo/filing-17", location="DE")])

# Lawfulness of further processing.
run(13, "ads_profile", "11:00", {"purposes": ["marketing.profiling"], "legalBasis": "legitimate_interests"},  # purpose-compatibility
    inputs=[customers], outputs=[dataset(CRM, "crm.ad_profiles", location="DE")])
run(14, "report_draft", "11:10", {"purposes": ["essential.service"]}, event_type="FAIL",  # lawful-basis: a failed run is judged too
    inputs=[customers], outputs=[dataset(CRM, "crm.report_draft", location="DE")])
run(15, "churn_scratch", "11:20", {"purposes": ["essential.service"], "legalBasis": "contract"},
    inputs=[customers], outputs=[dataset("file:///tmp", "churn.parquet")])  # unknown-location
run(16, "weekly_stats", "11:30", {"purposes": ["analytcs.reporting"], "legalBasis": "consent"},  # unknown-purpose (a typo)
    inputs=[customers], outputs=[dataset(CRM, "crm.weekly_stats", location="DE")])
run(17, "publish_counts", "11:40", {"operation": "anonymize", "purposes": ["essential.service"], "legalBasis": "contract"},
    inputs=[customers], outputs=[dataset("s3://open-data", "counts.csv", location="US")])  # anonymised: no transfer of personal data

# An inventory with a category the taxonomy lacks.
events.append({"eventTime": "2026-03-02T12:00:00Z", "producer": PRODUCER, "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
               "dataset": dataset(CRM, "crm.loyalty", location="DE", categories=["user.loyalty_points"], subjects=["erin@example.com"])})

# An erasure undone by a restore.
run(18, "erase_bob", "13:00", {"operation": "erase", "legalBasis": "legal_obligation"},
    inputs=[customers], outputs=[dataset(CRM, "crm.customers", erasedSubjects=["bob@example.com"])])
run(19, "restore_customers", "14:00", {"operation": "copy", "purposes": ["essential.service"], "legalBasis": "contract"},
    inputs=[dataset("s3://backup", "crm/customers")], outputs=[dataset(CRM, "crm.customers", subjects=["bob@example.com"])])  # after-erasure

path = pathlib.Path(__file__).with_name("policy-fixture.jsonl")
path.write_text("".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events), encoding="utf-8")
