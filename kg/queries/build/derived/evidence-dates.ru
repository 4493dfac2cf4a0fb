# Derived: the first and last date a statement's evidence speaks of.
#   kgo:firstEvidenceDate  the earliest kgo:eventDate of its evidence, in any
#                          document that prints it (dates are resolved
#                          against each document's own date, so they sit on
#                          the kgo:Occurrence),
#   kgo:lastEvidenceDate   the latest; both absent when none is dated.
# A rule of kg.derived: it reads the union of the document graphs (the default
# graph) and inserts into the graph kgr:derived only.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

INSERT { GRAPH <https://w3id.org/kg-conflict/id/derived> {
    ?statement kgo:firstEvidenceDate ?first ; kgo:lastEvidenceDate ?last } }
WHERE {
    SELECT ?statement (MIN(?date) AS ?first) (MAX(?date) AS ?last)
    WHERE {
        ?statement a rdf:Statement ; prov:wasDerivedFrom ?sentence .
        ?sentence kgo:occurrence ?where .
        ?where kgo:eventDate ?date .
        FILTER (DATATYPE(?date) = xsd:date)
    }
    GROUP BY ?statement
}
