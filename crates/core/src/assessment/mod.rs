//! Assessment: exit (脱贫退出) and relapse-prevention monitoring (防返贫监测) as rules, procedures and
//! measures, with the standards they use kept as data.
//!
//! The pieces:
//! - [`standards`]: the parameter table (poverty and monitoring lines, exit thresholds, notice days,
//!   warning shares, pairing limits …) keyed by (key, region prefix, year) with source and
//!   confirmation, the shipped defaults, resolution (most specific region, then latest year) and
//!   input validation. Everything that varies by province or year, or was never confirmed, lives here.
//! - [`ratio`]: exact fractions, so thresholds are compared without floating-point doubt.
//! - [`exit`]: the household exit assessment (income strictly above the line, 两不愁三保障, safe water)
//!   and the exit procedure from 村提名 to 销号.
//! - [`incidence`]: poverty incidence as an exact fraction and the village/county exit test.
//! - [`monitoring`]: monitored kinds, early-warning screening of a household, the identification
//!   procedure (with its time limit) and risk elimination (criteria and procedure).
//! - [`procedure`]: the workflow the three procedures share (ordered steps, village notice with
//!   objections, rejection back to the start, dated history, time limit).
//! - [`cases`]: what a procedure case reads (the assessments' inputs, gathered one way for the store
//!   and for imports) and the status change a finished procedure records.
//! - [`measures`]: headcount ratio, FGT, Watts, Sen and Gini.
//! - [`facts`]: the compact binary form of a village-year's measure facts, which the store keeps.
//! - [`counting`]: the Alkire–Foster counting measure, its configurations (data, kept as parameters
//!   `mpi.<name>`) and the two shipped presets.
//!
//! Everything here is pure: inputs in, results or [`crate::DomainError`]s out. Loading the household,
//! the parameters and the procedure state, and saving the result with its audit record, is the
//! store's and the web layer's job.

pub mod store;

pub mod cases;
pub mod counting;
pub mod exit;
pub mod facts;
pub mod incidence;
pub mod measures;
pub mod monitoring;
pub mod procedure;
pub mod ratio;
pub mod records;
pub mod standards;

pub use cases::{basic_needs, elimination_input, exit_input, YearFacts};
pub use counting::{CountingConfig, CountingMeasures};
pub use exit::{
    age_on, assess_exit, next_step, Assessment, Criterion, CriterionResult, ExitAction,
    ExitAssessment, ExitInput, ExitMember, ExitProcedure, ExitStep,
};
pub use incidence::{
    check_incidence, check_region_exit, exit_threshold, incidence, Incidence, IncidenceCheck,
};
pub use measures::{fgt, gini, headcount_ratio, poverty_measures, sen, watts, PovertyMeasures};
pub use monitoring::{
    apply_identification, apply_risk_elimination, assess_risk_elimination, screen, BasicNeeds,
    EliminationInput, EliminationStep, Flag, IdentificationAction, IdentificationProcedure,
    IdentificationStep, MonitoredKind, RigidSpending, RiskEliminationAction,
    RiskEliminationAssessment, RiskEliminationProcedure, RiskEvent, RiskStatus, ScreeningInput,
    ScreeningRules,
};
pub use procedure::{Action, Event, EventKind, Objection, Resolution, Step, Timeliness, Workflow};
pub use ratio::{Fraction, Ratio};
pub use records::*;
pub use standards::{default_parameters, resolve, ParamValue, Parameter, ParameterInput};
