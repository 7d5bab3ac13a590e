-- Views and macros of the DuckDB warehouse, (re)created after every load.
-- Each statement ends with ";" on its own line end; comments say what a row is.

-- A document with its bulletin and the version of the file it was read from.
create or replace view document_details as
select d.document_id, d.seq, d.section, d.title, d.doc_number, d.doc_type, d.issuers, d.signed_date,
       d.recipients, d.char_count, d.line_start, d.line_end, d.quality_flags,
       b.bulletin_id, b.publisher, b.year as bulletin_year, b.issue_no, b.cumulative_no, b.issue_date,
       l.source_file, l.source_sha256, l.source_bytes, l.encoding, l.detected_format,
       l.parser_version, l.run_id, l.ingested_at
from documents d
join bulletins b using (bulletin_id)
left join lineage l on l.bulletin_id = d.bulletin_id and l.is_current;

-- One row per measure and plan: baseline and target side by side (latest period of each).
create or replace view indicator_plans as
select i.document_id, any_value(d.title) as plan_title, i.table_title, i.name, i.unit,
       any_value(i.nature) filter (where i.nature is not null) as nature,
       max(i.period) filter (where i.kind = 'baseline') as baseline_period,
       arg_max(i.value, i.period) filter (where i.kind = 'baseline') as baseline_value,
       arg_max(i.value_text, i.period) filter (where i.kind = 'baseline') as baseline_text,
       max(i.period) filter (where i.kind = 'target') as target_period,
       arg_max(i.value, i.period) filter (where i.kind = 'target') as target_value,
       arg_max(i.value_text, i.period) filter (where i.kind = 'target') as target_text,
       arg_max(i.comparator, i.period) filter (where i.kind = 'target') as target_comparator,
       min(i.line) as line
from indicators i
join documents d using (document_id)
where i.kind in ('baseline', 'target')
group by i.document_id, i.table_title, i.name, i.unit;

-- Money by who provides it and when.
create or replace view budgets_by_funder_year as
-- each yuan once: an amount that is part of another (其中, 包括; part_of set) is inside its total
select funder, period, count(*) as amounts, sum(amount_yuan) as total_yuan,
       list(distinct document_id order by document_id) as document_ids
from budgets
where part_of is null
group by funder, period;

-- Subsidy standards by who receives them.
create or replace view subsidies_by_beneficiary as
select beneficiary, program, per, frequency, count(*) as standards,
       min(amount_yuan) as min_yuan, max(amount_yuan) as max_yuan, bool_or(is_cap) as any_cap,
       list(distinct document_id order by document_id) as document_ids
from subsidies
group by beneficiary, program, per, frequency;

-- Who cites whom: each citation, resolved to the document it names when that document is
-- in the warehouse (by 发文字号, or by 《title》 = its title or a title it issues).
create or replace view citation_graph as
with by_number as (
    select c.citation_id, d.document_id as cited_document_id, 'doc_number' as resolved_by
    from citations c
    -- year and serial are an equi-join (hashed); the 机关代字 is then compared by suffix
    join documents d on d.doc_number_year = try_cast(regexp_extract(c.cited_doc_number, '〔(\d{4})〕', 1) as bigint)
        and d.doc_number_serial = try_cast(regexp_extract(c.cited_doc_number, '〕(\d+)号', 1) as bigint)
        and suffix(c.cited_doc_number, d.doc_number)
), titles as (  -- a document is known by its title and by the titles it issues
    select document_id, title from documents
    union all
    select document_id, unnest(enclosed_titles) as title from documents
), by_title as (
    select c.citation_id, t.document_id as cited_document_id, 'title' as resolved_by
    from citations c join titles t on t.title = c.cited_title
), resolved as (
    select citation_id, min(cited_document_id) as cited_document_id, min(resolved_by) as resolved_by
    from (select * from by_number union all select * from by_title)
    group by citation_id
)
select c.citation_id, c.document_id, src.title, src.doc_number, c.cited_doc_number, c.cited_title,
       r.cited_document_id, dst.title as cited_document_title, r.resolved_by, c.line
from citations c
join documents src on src.document_id = c.document_id
left join resolved r using (citation_id)
left join documents dst on dst.document_id = r.cited_document_id;

-- Full-text search: BM25 (k1 = 1.2, b = 0.75) over the jieba terms of the documents.
-- `query_terms` is a list of terms as `gongbao search` cuts them (parsing.search_terms); the name
-- differs from document_terms.terms, which a macro parameter of the same name would shadow.
create or replace macro search_documents(query_terms) as table
with q as (select distinct unnest(query_terms) as term),
postings as (select document_id, doc_terms, unnest(terms) as term, unnest(counts) as tf from document_terms),
docs as (select count(*) as n, avg(doc_terms) as avgdl from document_terms),
hits as (select p.* from postings p join q using (term)),
df as (select term, count(*) as df from hits group by term)
select h.document_id,
       sum(ln(1 + (docs.n - df.df + 0.5) / (df.df + 0.5))
           * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * h.doc_terms / docs.avgdl))) as score,
       count(*) as matched_terms
from hits h join df using (term) cross join docs
group by h.document_id
order by score desc, h.document_id;
