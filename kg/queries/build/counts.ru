# Evidence and source counts and evidence dates of every statement, on the
# union of the document graphs (kg.rdf.add_counts_oxigraph; the same figures
# as kg.rdf.add_counts):
#   kgo:evidenceCount      distinct evidence sentences (prov:wasDerivedFrom),
#   kgo:sourceCount        distinct documents those sentences are part of,
#   kgo:firstEvidenceDate  the earliest kgo:eventDate of those sentences,
#   kgo:lastEvidenceDate   the latest (both absent when none is dated).
# Figures already there are replaced. Only typed rdf:Statement nodes with
# evidence are counted.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

DELETE { ?statement kgo:evidenceCount ?old }
WHERE {
    ?statement a rdf:Statement ; kgo:evidenceCount ?old .
    FILTER EXISTS { ?statement prov:wasDerivedFrom ?any }
} ;

DELETE { ?statement kgo:sourceCount ?old }
WHERE {
    ?statement a rdf:Statement ; kgo:sourceCount ?old .
    FILTER EXISTS { ?statement prov:wasDerivedFrom ?any }
} ;

INSERT { ?statement kgo:evidenceCount ?evidence ; kgo:sourceCount ?sources }
WHERE {
    SELECT ?statement (COUNT(DISTINCT ?sentence) AS ?evidence) (COUNT(DISTINCT ?document) AS ?sources)
    WHERE {
        ?statement a rdf:Statement ; prov:wasDerivedFrom ?sentence .
        OPTIONAL { ?sentence dcterms:isPartOf ?document }
    }
    GROUP BY ?statement
} ;

DELETE { ?statement kgo:firstEvidenceDate ?old }
WHERE {
    ?statement a rdf:Statement ; kgo:firstEvidenceDate ?old .
    FILTER EXISTS { ?statement prov:wasDerivedFrom ?any }
} ;

DELETE { ?statement kgo:lastEvidenceDate ?old }
WHERE {
    ?statement a rdf:Statement ; kgo:lastEvidenceDate ?old .
    FILTER EXISTS { ?statement prov:wasDerivedFrom ?any }
} ;

INSERT { ?statement kgo:firstEvidenceDate ?first ; kgo:lastEvidenceDate ?last }
WHERE {
    SELECT ?statement (MIN(?date) AS ?first) (MAX(?date) AS ?last)
    WHERE {
        ?statement a rdf:Statement ; prov:wasDerivedFrom ?sentence .
        ?sentence kgo:eventDate ?date .
        FILTER (DATATYPE(?date) = xsd:date)
    }
    GROUP BY ?statement
}
