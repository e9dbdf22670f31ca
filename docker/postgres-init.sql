-- One server, two databases: claimwatch's evidence store and Prefect's own backend.
CREATE DATABASE claimwatch;
CREATE DATABASE prefect;
