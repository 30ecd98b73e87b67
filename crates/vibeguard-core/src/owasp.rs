//! The OWASP API Security Top 10 (2023) categories API findings are filed under.

use serde::{Deserialize, Serialize};

/// One category of the OWASP API Security Top 10, 2023 edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OwaspApi {
    /// API1:2023 Broken Object Level Authorization.
    #[serde(rename = "API1:2023")]
    Api1BrokenObjectLevelAuthorization,
    /// API2:2023 Broken Authentication.
    #[serde(rename = "API2:2023")]
    Api2BrokenAuthentication,
    /// API3:2023 Broken Object Property Level Authorization.
    #[serde(rename = "API3:2023")]
    Api3BrokenObjectPropertyLevelAuthorization,
    /// API4:2023 Unrestricted Resource Consumption.
    #[serde(rename = "API4:2023")]
    Api4UnrestrictedResourceConsumption,
    /// API5:2023 Broken Function Level Authorization.
    #[serde(rename = "API5:2023")]
    Api5BrokenFunctionLevelAuthorization,
    /// API6:2023 Unrestricted Access to Sensitive Business Flows.
    #[serde(rename = "API6:2023")]
    Api6UnrestrictedAccessToSensitiveBusinessFlows,
    /// API7:2023 Server Side Request Forgery.
    #[serde(rename = "API7:2023")]
    Api7ServerSideRequestForgery,
    /// API8:2023 Security Misconfiguration.
    #[serde(rename = "API8:2023")]
    Api8SecurityMisconfiguration,
    /// API9:2023 Improper Inventory Management.
    #[serde(rename = "API9:2023")]
    Api9ImproperInventoryManagement,
    /// API10:2023 Unsafe Consumption of APIs.
    #[serde(rename = "API10:2023")]
    Api10UnsafeConsumptionOfApis,
}

impl OwaspApi {
    /// The short id, e.g. `API1:2023`.
    pub fn id(self) -> &'static str {
        match self {
            OwaspApi::Api1BrokenObjectLevelAuthorization => "API1:2023",
            OwaspApi::Api2BrokenAuthentication => "API2:2023",
            OwaspApi::Api3BrokenObjectPropertyLevelAuthorization => "API3:2023",
            OwaspApi::Api4UnrestrictedResourceConsumption => "API4:2023",
            OwaspApi::Api5BrokenFunctionLevelAuthorization => "API5:2023",
            OwaspApi::Api6UnrestrictedAccessToSensitiveBusinessFlows => "API6:2023",
            OwaspApi::Api7ServerSideRequestForgery => "API7:2023",
            OwaspApi::Api8SecurityMisconfiguration => "API8:2023",
            OwaspApi::Api9ImproperInventoryManagement => "API9:2023",
            OwaspApi::Api10UnsafeConsumptionOfApis => "API10:2023",
        }
    }

    /// The category's title as OWASP writes it.
    pub fn title(self) -> &'static str {
        match self {
            OwaspApi::Api1BrokenObjectLevelAuthorization => "Broken Object Level Authorization",
            OwaspApi::Api2BrokenAuthentication => "Broken Authentication",
            OwaspApi::Api3BrokenObjectPropertyLevelAuthorization => {
                "Broken Object Property Level Authorization"
            }
            OwaspApi::Api4UnrestrictedResourceConsumption => "Unrestricted Resource Consumption",
            OwaspApi::Api5BrokenFunctionLevelAuthorization => "Broken Function Level Authorization",
            OwaspApi::Api6UnrestrictedAccessToSensitiveBusinessFlows => {
                "Unrestricted Access to Sensitive Business Flows"
            }
            OwaspApi::Api7ServerSideRequestForgery => "Server Side Request Forgery",
            OwaspApi::Api8SecurityMisconfiguration => "Security Misconfiguration",
            OwaspApi::Api9ImproperInventoryManagement => "Improper Inventory Management",
            OwaspApi::Api10UnsafeConsumptionOfApis => "Unsafe Consumption of APIs",
        }
    }
}
