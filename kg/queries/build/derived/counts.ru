# Derived: the evidence and source counts of every statement.
#   kgo:evidenceCount  distinct pieces of evidence (prov:wasDerivedFrom),
#   kgo:sourceCount    distinct documents they are part of (dcterms:isPartOf).
# A rule of kg.derived: it reads the union of the document graphs (the default
# graph) and inserts into the graph kgr:derived only. Only typed rdf:Statement
# nodes with evidence are counted.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>

INSERT { GRAPH <https://w3id.org/kg-conflict/id/derived> {
    ?statement kgo:evidenceCount ?evidence ; kgo:sourceCount ?sources } }
WHERE {
    SELECT ?statement (COUNT(DISTINCT ?sentence) AS ?evidence) (COUNT(DISTINCT ?document) AS ?sources)
    WHERE {
        ?statement a rdf:Statement ; prov:wasDerivedFrom ?sentence .
        OPTIONAL { ?sentence dcterms:isPartOf ?document }
    }
    GROUP BY ?statement
}
