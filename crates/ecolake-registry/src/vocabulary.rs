//! Closed vocabularies: fieldless enums written as fixed names in files, the database, SQL and
//! messages (`medium`, `kind`, `averaging`, `tier` …), each declared once with [`vocabulary!`].

/// A closed vocabulary: a fieldless enum whose values are written as fixed names in files, the
/// database and messages.
macro_rules! vocabulary {
    (
        $(#[$doc:meta])* $name:ident, $what:literal,
        { $($(#[$vattr:meta])* $variant:ident = $text:literal => $vdoc:literal,)+ }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vattr])* #[doc = $vdoc] #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in the order of the contract.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name used in files, the database and SQL.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!(concat!($what, " `{}`: must be one of {}"), s, names.join(", "))
                })
            }
        }
    };
}
pub(crate) use vocabulary;
