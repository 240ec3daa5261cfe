//! The query string of a comparison — its page, its forest plot and its CSV — in GraphQL's
//! spellings, as `metricComparison(filter: PilotFilterInput, effectMeasure, method, subgroupBy)`
//! takes them: `?careSetting=COMMUNITY&region=LONDON&method=DL&subgroupBy=DESIGN`. It is kept
//! apart from the domain's filter, so a change there cannot quietly change or break a URL
//! someone saved. Addresses of the first downloads (`/metrics/{code}/…`, in the data's
//! snake_case spellings) are translated by [`legacy_to_current`].

use chrono::NaiveDate;
use registry_api::model::{EffectMeasure, PoolingMethod, Spelling, SubgroupBy};
use registry_api::service::comparisons::Question;
use registry_api::service::pilots::PilotFilter;
use sea_orm::prelude::Uuid;

/// Every parameter a comparison takes, with how its value reads.
const PARAMETERS: [(&str, Value); 17] = [
    ("technologyId", Value::Id),
    ("hostOrganisationId", Value::Id),
    ("status", Value::Choice),
    ("careSetting", Value::Choice),
    ("specialty", Value::Choice),
    ("design", Value::Choice),
    ("region", Value::Choice),
    ("visibility", Value::Choice),
    ("startedOnOrAfter", Value::Date),
    ("startedOnOrBefore", Value::Date),
    ("category", Value::Choice),
    ("esfTier", Value::Choice),
    ("standard", Value::Choice),
    ("primaryCare", Value::Flag),
    ("effectMeasure", Value::Choice),
    ("method", Value::Choice),
    ("subgroupBy", Value::Choice),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Id,
    Date,
    Flag,
    /// A GraphQL enum value: the stored spelling in capitals.
    Choice,
}

/// A comparison's question but its metric, as an address gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComparisonQuery {
    pub filter: PilotFilter,
    pub effect_measure: Option<EffectMeasure>,
    pub method: PoolingMethod,
    pub subgroup_by: Option<SubgroupBy>,
}

fn choice<T: Spelling>(name: &str, value: &str) -> Result<T, String> {
    T::from_spelling(&value.to_ascii_lowercase())
        .filter(|_| value.bytes().all(|b| !b.is_ascii_lowercase()))
        .ok_or_else(|| format!("{name} cannot be {value:?}"))
}

fn upper<T: Spelling>(value: T) -> String {
    value.as_str().to_ascii_uppercase()
}

impl ComparisonQuery {
    /// Reads a query string's pairs; every parameter that cannot be read is named, with why.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Vec<String>> {
        let mut q = ComparisonQuery::default();
        let mut reasons = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (name, value) in pairs {
            if value.is_empty() {
                continue; // An unchosen select in the filter form.
            }
            if !seen.insert(name) {
                reasons.push(format!("{name} is given more than once"));
                continue;
            }
            if let Err(reason) = q.set(name, value) {
                reasons.push(reason);
            }
        }
        if reasons.is_empty() {
            Ok(q)
        } else {
            Err(reasons)
        }
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let f = &mut self.filter;
        let id =
            || Uuid::parse_str(value).map_err(|_| format!("{name} must be an id, not {value:?}"));
        let date = || {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map_err(|_| format!("{name} must be a date like 2024-04-01, not {value:?}"))
        };
        match name {
            "technologyId" => f.technology_id = Some(id()?),
            "hostOrganisationId" => f.host_organisation_id = Some(id()?),
            "status" => f.status = Some(choice(name, value)?),
            "careSetting" => f.care_setting = Some(choice(name, value)?),
            "specialty" => f.specialty = Some(choice(name, value)?),
            "design" => f.design = Some(choice(name, value)?),
            "region" => f.region = Some(choice(name, value)?),
            "visibility" => f.visibility = Some(choice(name, value)?),
            "startedOnOrAfter" => f.started_on_or_after = Some(date()?),
            "startedOnOrBefore" => f.started_on_or_before = Some(date()?),
            "category" => f.category = Some(choice(name, value)?),
            "esfTier" => f.esf_tier = Some(choice(name, value)?),
            "standard" => f.standard = Some(choice(name, value)?),
            "primaryCare" => {
                f.primary_care = Some(match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("{name} must be true or false, not {value:?}")),
                });
            }
            "effectMeasure" => self.effect_measure = Some(choice(name, value)?),
            "method" => self.method = choice(name, value)?,
            "subgroupBy" => self.subgroup_by = Some(choice(name, value)?),
            _ => return Err(format!("{name} is not a parameter of a comparison")),
        }
        Ok(())
    }

    /// The pairs of this query, in the order of [`PARAMETERS`], leaving out what is unset.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let f = &self.filter;
        let values: [Option<String>; 17] = [
            f.technology_id.map(|v| v.to_string()),
            f.host_organisation_id.map(|v| v.to_string()),
            f.status.map(upper),
            f.care_setting.map(upper),
            f.specialty.map(upper),
            f.design.map(upper),
            f.region.map(upper),
            f.visibility.map(upper),
            f.started_on_or_after.map(|d| d.to_string()),
            f.started_on_or_before.map(|d| d.to_string()),
            f.category.map(upper),
            f.esf_tier.map(upper),
            f.standard.map(upper),
            f.primary_care.map(|v| v.to_string()),
            self.effect_measure.map(upper),
            (self.method != PoolingMethod::default()).then(|| upper(self.method)),
            self.subgroup_by.map(upper),
        ];
        PARAMETERS
            .iter()
            .zip(values)
            .filter_map(|((name, _), value)| Some((*name, value?)))
            .collect()
    }

    /// `?…` for this query, or nothing when it is empty.
    pub fn to_query(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            return String::new();
        }
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(pairs);
        format!("?{}", query.finish())
    }

    /// The question this query asks of a metric.
    pub fn question(&self, metric_code: String) -> Question {
        Question {
            metric_code,
            filter: self.filter.clone(),
            effect_measure: self.effect_measure,
            method: self.method,
            subgroup_by: self.subgroup_by,
        }
    }
}

/// A first-generation query string (`effect_measure=rr&care_setting=community`) in the current
/// spellings (`effectMeasure=RR&careSetting=COMMUNITY`): names in camelCase, closed-list values
/// in capitals; anything else passes through, to be refused by name when it is read.
pub fn legacy_to_current(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| {
            let mut camel = String::new();
            let mut upper_next = false;
            for c in name.chars() {
                match c {
                    '_' => upper_next = true,
                    c if upper_next => {
                        camel.push(c.to_ascii_uppercase());
                        upper_next = false;
                    }
                    c => camel.push(c),
                }
            }
            let kind = PARAMETERS
                .iter()
                .find(|(n, _)| *n == camel)
                .map(|(_, k)| *k);
            let value = match kind {
                Some(Value::Choice) => value.to_ascii_uppercase(),
                _ => value.clone(),
            };
            (camel, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use registry_api::model::{CareSetting, Region};

    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// A bookmarked comparison reads as the question it names, and writes back the same.
    #[test]
    fn the_query_string_names_the_filter_and_options() -> Result<(), Vec<String>> {
        let text = "careSetting=COMMUNITY&region=LONDON&startedOnOrAfter=2024-04-01\
                    &primaryCare=false&effectMeasure=RR&method=DL";
        let q = ComparisonQuery::parse(&pairs(text))?;
        assert_eq!(q.method, PoolingMethod::Dl);
        assert_eq!(q.effect_measure, Some(EffectMeasure::Rr));
        assert_eq!(q.subgroup_by, None);
        assert_eq!(
            q.filter,
            PilotFilter {
                care_setting: Some(CareSetting::Community),
                region: Some(Region::London),
                started_on_or_after: NaiveDate::from_ymd_opt(2024, 4, 1),
                primary_care: Some(false),
                ..PilotFilter::default()
            }
        );
        assert_eq!(q.to_query(), format!("?{text}"));
        Ok(())
    }

    #[test]
    fn what_cannot_be_read_is_named() {
        assert_eq!(
            ComparisonQuery::parse(&pairs(
                "care_setting=community&region=london&method=MAGIC&startedOnOrAfter=April"
            )),
            Err(vec![
                "care_setting is not a parameter of a comparison".to_owned(),
                "region cannot be \"london\"".to_owned(),
                "method cannot be \"MAGIC\"".to_owned(),
                "startedOnOrAfter must be a date like 2024-04-01, not \"April\"".to_owned(),
            ])
        );
    }

    #[test]
    fn first_generation_addresses_translate() -> Result<(), Vec<String>> {
        let old =
            pairs("effect_measure=rr&care_setting=mental_health&started_on_or_after=2024-04-01");
        let current = ComparisonQuery::parse(&legacy_to_current(&old))?;
        assert_eq!(current.effect_measure, Some(EffectMeasure::Rr));
        assert_eq!(current.filter.care_setting, Some(CareSetting::MentalHealth));
        assert_eq!(
            current.to_query(),
            "?careSetting=MENTAL_HEALTH&startedOnOrAfter=2024-04-01&effectMeasure=RR"
        );
        Ok(())
    }
}
