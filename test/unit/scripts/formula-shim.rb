# Loads a generated formula with a stand-in for Homebrew's DSL and prints, as
# JSON, what `brew install` would fetch and install on one platform:
#   ruby formula-shim.rb FORMULA mac|linux arm|intel
require "json"

$os = ARGV[1]
$arch = ARGV[2]

class Resource
  attr_reader :spec
  def initialize; @spec = {}; end
  def url(u); @spec["url"] = u; end
  def sha256(s); @spec["sha256"] = s; end
  def stage; yield; end
end

class Formula
  class << self
    attr_reader :spec, :resources, :test_block
    def desc(_); end
    def homepage(_); end
    def license(_); end
    def version(v = nil); v ? (@version = v) : @version; end
    def url(u); (@spec ||= {})["url"] = u; end
    def sha256(s); (@spec ||= {})["sha256"] = s; end
    def on_macos; yield if $os == "mac"; end
    def on_linux; yield if $os == "linux"; end
    def on_arm; yield if $arch == "arm"; end
    def on_intel; yield if $arch == "intel"; end
    def resource(name, &blk)
      r = Resource.new
      r.instance_eval(&blk)
      (@resources ||= {})[name] = r
    end
    def test(&blk); @test_block = blk; end
  end

  attr_reader :log
  def initialize; @log = []; end
  def version; self.class.version; end
  def resource(name); self.class.resources.fetch(name); end
  def bin
    log = @log
    o = Object.new
    o.define_singleton_method(:install) { |*a| log << ["bin.install", a] }
    o.define_singleton_method(:/) { |x| "BIN/#{x}" }
    o
  end
  def generate_completions_from_executable(*args, **kw)
    @log << ["completions", args, kw.transform_values { |v| v.map(&:to_s) }]
  end
end

module OS; def self.mac?; $os == "mac"; end; end
module Hardware; module CPU; def self.arm?; $arch == "arm"; end; end; end

load ARGV[0]
f = BotBottle.new
f.install
puts JSON.generate({
  "version" => BotBottle.version,
  "url" => BotBottle.spec["url"],
  "sha256" => BotBottle.spec["sha256"],
  "resources" => (BotBottle.resources || {}).transform_values(&:spec),
  "log" => f.log,
  "has_test" => !BotBottle.test_block.nil?,
})
