-- Databases Boardroom needs next to Dagster's own (created by POSTGRES_DB).
CREATE DATABASE warehouse OWNER boardroom;
