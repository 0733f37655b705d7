-- What a profile knows beyond its host and dev environment, written by the operations layer as
-- one JSON object (cloud, how it signs in, the dev environment's name, how its host was found…):
-- the cache keeps it for the profile and never reads inside it.
ALTER TABLE profiles ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
